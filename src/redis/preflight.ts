import { SecretsService } from '../common/crypto/secrets.service.js';
import type { AppConfig } from '../config/app-config.js';
import { createRedisClient, describeRedis } from './redis-client.js';

/** Where the deployment's key check value lives (see assertSameSecret). */
export const KEY_CHECK_KEY = 'otp:key-check';

/**
 * Pings Redis (or every slot owner of a Redis Cluster) before Nest boots so that an unreachable Redis
 * stops the process with one clear line instead of a hang (BullMQ and ioredis otherwise retry forever).
 */
export async function assertRedisReachable(config: Pick<AppConfig, 'redisUrl' | 'redisClusterNodes'>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const client = createRedisClient(config, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      client.disconnect();
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`Cannot reach Redis at ${describeRedis(config)}: ${reason}`);
}

/**
 * Makes every API and worker of a deployment use one OTP_SECRET: the first process stores the key
 * check value of its secret in Redis, and a later process with another secret stops here with
 * one line, instead of answering 200 to sends whose jobs no worker can open. Changing the secret on
 * purpose: stop every process, delete the key, start them with the new secret.
 */
export async function assertSameSecret(config: AppConfig): Promise<void> {
  const client = createRedisClient(config, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const mine = new SecretsService(config).keyCheckValue();
    await client.set(KEY_CHECK_KEY, mine, 'NX');
    const stored = await client.get(KEY_CHECK_KEY);
    if (stored !== null && !SecretsService.equalDigests(stored, mine)) {
      throw new SecretMismatchError(
        `OTP_SECRET differs from the secret of the processes already using this Redis (key check value at ${KEY_CHECK_KEY}); ` +
          'give every API and worker the same OTP_SECRET, or after changing it on purpose stop them all and delete that key',
      );
    }
  } finally {
    client.disconnect();
  }
}

export class SecretMismatchError extends Error {}
