import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/app-config.js';

/** A single Redis server or a Redis Cluster: both speak the commands we use (keys are hash-tagged). */
export type RedisClient = Redis | Cluster;

/**
 * The one place a Redis connection is made. With REDIS_CLUSTER_NODES it is an ioredis Cluster seeded
 * with those nodes (the per-node options apply to every node it discovers), otherwise one client for
 * REDIS_URL. Every caller (shared client, preflight, BullMQ) goes through here, so the switch is total.
 */
export function createRedisClient(config: Pick<AppConfig, 'redisUrl' | 'redisClusterNodes'>, options: RedisOptions = {}): RedisClient {
  if (config.redisClusterNodes?.length) {
    const { retryStrategy, lazyConnect, enableOfflineQueue, enableAutoPipelining, ...nodeOptions } = options;
    return new Cluster(config.redisClusterNodes, {
      redisOptions: nodeOptions,
      lazyConnect,
      enableOfflineQueue,
      enableAutoPipelining,
      clusterRetryStrategy: retryStrategy,
      // Slot moves (resharding, failover) are followed instead of surfacing as errors.
      enableReadyCheck: true,
    });
  }
  return new Redis(config.redisUrl, options);
}

/** Where a client points, for messages (credentials removed). */
export function describeRedis(config: Pick<AppConfig, 'redisUrl' | 'redisClusterNodes'>): string {
  if (config.redisClusterNodes?.length) return `REDIS_CLUSTER_NODES=${config.redisClusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  return `REDIS_URL=${config.redisUrl.replace(/\/\/([^@/]*)@/, '//***@')}`;
}
