import type { AppConfig } from '../config/app-config.js';
import { createRedisClient, describeRedis } from './redis-client.js';

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
