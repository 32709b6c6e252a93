import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppConfig, ConfigError } from './app-config.js';

const SECRET = 'x'.repeat(32);

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    AppConfig.fromEnvironment(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('AppConfig: sink provider and Redis Cluster', () => {
  it('accepts EMAIL_PROVIDER=sink with SINK_DELAY_MS outside production', () => {
    const config = AppConfig.fromEnvironment({ NODE_ENV: 'test', EMAIL_PROVIDER: 'sink', SINK_DELAY_MS: '50' });
    assert.equal(config.email.provider, 'sink');
    assert.equal(config.email.sinkDelayMs, 50);
    assert.equal(AppConfig.fromEnvironment({ EMAIL_PROVIDER: 'sink' }).email.sinkDelayMs, 0);
  });

  it('refuses the sink provider in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production', OTP_SECRET: SECRET, EMAIL_PROVIDER: 'sink' });
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
