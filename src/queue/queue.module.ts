import { BullModule } from '@nestjs/bullmq';
import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { createRedisClient, type RedisClient } from '../redis/redis-client.js';

/**
 * BullMQ's connection. The prefix is a Redis Cluster hash tag so every key of a queue lands in one
 * slot, as BullMQ requires there.
 */
export const QUEUE_PREFIX = '{otpq}';

/**
 * BullMQ builds its own connections from options, but it cannot build a Redis Cluster client: in
 * cluster mode it gets one Cluster instance (each queue and worker duplicates it), which BullMQ then
 * does not close, so this module does at shutdown.
 */
@Injectable()
export class QueueConnections implements OnApplicationShutdown {
  private readonly clients: RedisClient[] = [];

  constructor(private readonly config: AppConfig) {}

  connection(): RedisClient | { url: string; connectTimeout: number } {
    if (!this.config.redisClusterNodes?.length) return { url: this.config.redisUrl, connectTimeout: 2000 };
    // Workers block on this connection: BullMQ requires maxRetriesPerRequest null.
    const cluster = createRedisClient(this.config, { connectTimeout: 2000, maxRetriesPerRequest: null });
    this.clients.push(cluster);
    return cluster;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

@Module({
  providers: [QueueConnections],
  exports: [QueueConnections],
})
class QueueConnectionsModule {}

@Module({
  imports: [
    BullModule.forRootAsync({
      imports: [QueueConnectionsModule],
      inject: [QueueConnections],
      useFactory: (connections: QueueConnections) => ({
        prefix: QUEUE_PREFIX,
        connection: connections.connection(),
      }),
    }),
  ],
})
export class QueueModule {}
