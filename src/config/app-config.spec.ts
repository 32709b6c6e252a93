import assert from 'node:assert/strict';
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
    assert.deepEqual(config.database, { type: 'postgres', url: 'postgres://u@h:5432/db', poolSize: 20 });
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
