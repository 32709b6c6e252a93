import { resolve } from 'node:path';
import { AppConfig, ConfigError } from './config/app-config.js';
import { loadEnvironment } from './config/environment.js';
import { PROVIDERS } from './delivery/providers/providers.js';
import { assertRedisReachable, assertSameSecret, SecretMismatchError } from './redis/preflight.js';
import { startPrivateRedis } from './redis/private-redis.js';

/**
 * What every entry point does before Nest boots: validate the environment (`.env`, then the real
 * environment; one line per problem) and make sure Redis answers. On failure it prints the reason
 * and exits 1. With `privateRedis` (the API), development without a configured Redis and nothing
 * on the default address gets a Redis of its own instead.
 */
export async function preflight({ privateRedis = false }: { privateRedis?: boolean } = {}): Promise<AppConfig> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnvironment(loadEnvironment(), 'server', PROVIDERS);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
      process.exit(1);
    }
    throw error;
  }
  if (config.usingDevelopmentSecret) {
    process.stderr.write(
      'WARNING: OTP_SECRET is not set; using the public development secret. Anyone can forge sealed data. Set OTP_SECRET (`openssl rand -base64 48`) before real use.\n',
    );
  }
  if (privateRedis && config.runWorker && config.mayStartPrivateRedis) config = await withPrivateRedisIfNeeded(config);
  try {
    await assertRedisReachable(config);
    await assertSameSecret(config);
  } catch (error) {
    process.stderr.write(`${error instanceof SecretMismatchError ? 'config error: ' : ''}${(error as Error).message}\n`);
    process.exit(1);
  }
  return config;
}

async function withPrivateRedisIfNeeded(config: AppConfig): Promise<AppConfig> {
  const address = config.redisUrl.replace(/^rediss?:\/\//, '');
  try {
    await assertRedisReachable(config, 1000);
    return config;
  } catch {
    // Nothing answers on the default address: start one below.
  }
  const dataDir = resolve('data/redis');
  const started = await startPrivateRedis(dataDir);
  if ('missing' in started) {
    process.stderr.write(
      `No Redis at ${address} and no redis-server on PATH: install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.\n`,
    );
    process.exit(1);
  }
  process.stderr.write(`No Redis at ${address}: started a private redis-server at ${started.url.slice('redis://'.length)} (data in ./data/redis), stopped with this process.\n`);
  return config.withRedisUrl(started.url);
}
