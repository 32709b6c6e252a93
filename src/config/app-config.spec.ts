import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppConfig, ConfigError } from './app-config.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    AppConfig.fromEnvironment(env);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
};

describe('AppConfig', () => {
  it('has working defaults for a laptop: SQLite under ./data, local Redis, console e-mail', () => {
    const config = AppConfig.fromEnvironment({});
    assert.deepEqual(config.database, { type: 'better-sqlite3', path: './data/otp.sqlite' });
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(config.port, 3000);
    assert.equal(config.email.provider, 'console');
    assert.equal(config.usingDevelopmentSecret, true);
  });

  it('reads PostgreSQL from a postgres:// DATABASE_URL', () => {
    const config = AppConfig.fromEnvironment({ DATABASE_URL: 'postgres://u@h:5432/db', DATABASE_POOL_SIZE: '20' });
    assert.deepEqual(config.database, { type: 'postgres', url: 'postgres://u@h:5432/db', poolSize: 20, preparedStatements: true });
    const pooled = AppConfig.fromEnvironment({ DATABASE_URL: 'postgres://u@h:6432/db', DATABASE_PREPARED_STATEMENTS: 'false' });
    assert.deepEqual(pooled.database, { type: 'postgres', url: 'postgres://u@h:6432/db', poolSize: 10, preparedStatements: false });
    assert.deepEqual(problemsOf({ DATABASE_URL: 'postgres://u@h:5432/db', DATABASE_POOL_SIZE: '1' }), ['DATABASE_POOL_SIZE=1: DATABASE_POOL_SIZE must not be less than 2'], 'one connection is kept for the lookup');
  });

  it('reports every bad value on a line of its own, naming the variable', () => {
    const problems = problemsOf({ PORT: 'eighty', REDIS_URL: 'http://x', LOG_LEVEL: 'loud', OTP_SECRET: 'short' });
    assert.equal(problems.length, 4, problems.join('\n'));
    for (const name of ['PORT', 'REDIS_URL', 'LOG_LEVEL', 'OTP_SECRET']) assert.ok(problems.some((p) => p.startsWith(`${name}=`)), name);
    assert.ok(!problems.join().includes('short'), 'the secret is not echoed');
  });

  it('refuses production without OTP_SECRET and with the console provider', () => {
    const problems = problemsOf({ NODE_ENV: 'production', EMAIL_PROVIDER: 'console' });
    assert.ok(problems.some((p) => p.startsWith('OTP_SECRET')));
    assert.ok(problems.some((p) => p.startsWith('EMAIL_PROVIDER=console')));
  });

  it('needs SMTP_URL for the smtp provider', () => {
    assert.deepEqual(problemsOf({ EMAIL_PROVIDER: 'smtp' }), ['SMTP_URL: required when EMAIL_PROVIDER=smtp']);
  });
});

describe('AppConfig: sink provider and Redis Cluster', () => {
  it('accepts EMAIL_PROVIDER=sink with SINK_DELAY_MS outside production', () => {
    const config = AppConfig.fromEnvironment({ NODE_ENV: 'test', EMAIL_PROVIDER: 'sink', SINK_DELAY_MS: '50' });
    assert.equal(config.email.provider, 'sink');
    assert.equal(config.email.sinkDelayMs, 50);
    assert.equal(AppConfig.fromEnvironment({ EMAIL_PROVIDER: 'sink' }).email.sinkDelayMs, 0);
  });

  it('refuses the sink provider in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production', OTP_SECRET: 'x'.repeat(32), EMAIL_PROVIDER: 'sink' });
    assert.ok(problems.some((p) => p.startsWith('EMAIL_PROVIDER=sink: refused when NODE_ENV=production')), problems.join('\n'));
  });

  it('parses REDIS_CLUSTER_NODES into seed nodes and rejects a malformed list', () => {
    const config = AppConfig.fromEnvironment({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,redis-b:7001' });
    assert.deepEqual(config.redisClusterNodes, [
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    assert.equal(AppConfig.fromEnvironment({}).redisClusterNodes, undefined);
    assert.ok(problemsOf({ REDIS_CLUSTER_NODES: '10.0.0.1' }).some((p) => p.startsWith('REDIS_CLUSTER_NODES=')));
    assert.ok(problemsOf({ REDIS_CLUSTER_NODES: 'a:1, b:2' }).some((p) => p.startsWith('REDIS_CLUSTER_NODES=')));
  });
});

const SECRET = randomBytes(48).toString('base64');

describe('AppConfig phone providers', () => {
  it('defaults every phone channel to console outside production and switches them off in production', () => {
    assert.deepEqual(AppConfig.fromEnvironment({}).phoneProviders, { sms: 'console', voice: 'console', whatsapp: 'console' });
    const production = AppConfig.fromEnvironment({ NODE_ENV: 'production', OTP_SECRET: SECRET, SMTP_URL: 'smtp://mail:25' });
    assert.deepEqual(production.phoneProviders, { sms: 'none', voice: 'none', whatsapp: 'none' });
  });

  it('refuses the console provider in production, like EMAIL_PROVIDER', () => {
    const found = problemsOf({ NODE_ENV: 'production', OTP_SECRET: SECRET, SMTP_URL: 'smtp://mail:25', VOICE_PROVIDER: 'console' });
    assert.ok(found.some((p) => /^VOICE_PROVIDER=console: refused/.test(p)), found.join('\n'));
  });

  it('asks for the Twilio and webhook settings the chosen providers need', () => {
    const found = problemsOf({ SMS_PROVIDER: 'twilio', WHATSAPP_PROVIDER: 'twilio', VOICE_PROVIDER: 'webhook' });
    for (const name of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM', 'TWILIO_WHATSAPP_FROM', 'DELIVERY_WEBHOOK_URL', 'DELIVERY_WEBHOOK_SECRET']) {
      assert.ok(found.some((p) => p.startsWith(`${name}:`)), `${name} in ${found.join('\n')}`);
    }
    const badSecret = problemsOf({ VOICE_PROVIDER: 'webhook', DELIVERY_WEBHOOK_URL: 'http://127.0.0.1/x', DELIVERY_WEBHOOK_SECRET: 'plain' });
    assert.ok(badSecret.some((p) => p.startsWith('DELIVERY_WEBHOOK_SECRET=<hidden>')), badSecret.join('\n'));
  });

  it('builds the Twilio settings with the public API as default base URL', () => {
    const config = AppConfig.fromEnvironment({
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'token',
      TWILIO_FROM: '+15005550006',
    });
    assert.equal(config.twilio?.apiBaseUrl, 'https://api.twilio.com');
    assert.equal(config.phoneProviders.voice, 'console');
    assert.equal(config.deliveryWebhook, undefined);
  });

  it('lets development without a configured Redis start a private one, never production or a named Redis', () => {
    const dev = AppConfig.fromEnvironment({ REDIS_DEFAULT_URL: 'redis://127.0.0.1:7000' });
    assert.equal(dev.mayStartPrivateRedis, true);
    assert.equal(dev.redisUrl, 'redis://127.0.0.1:7000');
    assert.equal(AppConfig.fromEnvironment({ REDIS_URL: 'redis://r:6379' }).mayStartPrivateRedis, false);
    assert.equal(AppConfig.fromEnvironment({ REDIS_CLUSTER_NODES: 'a:7000' }).mayStartPrivateRedis, false);
    const production = AppConfig.fromEnvironment({ NODE_ENV: 'production', OTP_SECRET: SECRET, SMTP_URL: 'smtp://m:25', REDIS_DEFAULT_URL: 'redis://127.0.0.1:7000' });
    assert.equal(production.mayStartPrivateRedis, false);
    assert.equal(production.redisUrl, 'redis://127.0.0.1:6379', 'REDIS_DEFAULT_URL is for development only');
  });

  it('gives the CLI a configuration from the database and the secret alone, even in production', () => {
    const env = { NODE_ENV: 'production', OTP_SECRET: SECRET, DATABASE_URL: 'postgres://u@h/db', SMS_PROVIDER: 'twilio', PORT: 'eighty' };
    assert.deepEqual(AppConfig.fromEnvironment(env, 'cli').database, { type: 'postgres', url: 'postgres://u@h/db', poolSize: 10, preparedStatements: true });
    assert.ok(problemsOf(env).some((p) => p.startsWith('PORT=')), 'the servers still check everything');
  });
});

describe('AppConfig in production: OTP_SECRET and metrics', () => {
  const production = { NODE_ENV: 'production', SMTP_URL: 'smtp://mail:25' };

  it('refuses a weak OTP_SECRET in one line that does not repeat it', () => {
    const problems = problemsOf({ ...production, OTP_SECRET: 'a'.repeat(48) });
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^OTP_SECRET: refused when NODE_ENV=production/);
    assert.ok(!problems[0]!.includes('a'.repeat(10)));
  });

  it('opens METRICS_PORT on 127.0.0.1 unless METRICS_HOST says otherwise', () => {
    const config = AppConfig.fromEnvironment({ ...production, OTP_SECRET: randomBytes(48).toString('base64'), METRICS_PORT: '9464' });
    assert.deepEqual(config.metricsListener, { port: 9464, host: '127.0.0.1' });
  });
});
