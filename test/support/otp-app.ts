import { Test, type TestingModule } from '@nestjs/testing';
import { AuthModule } from '../../src/auth/auth.module.js';
import { SecretsModule } from '../../src/common/crypto/secrets.module.js';
import { AppConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { DatabaseModule } from '../../src/database/database.module.js';
import { MetricsModule } from '../../src/metrics/metrics.module.js';
import { QueueModule } from '../../src/queue/queue.module.js';
import { RedisModule } from '../../src/redis/redis.module.js';
import { allocateRedisDb, createDatabase, type DbKind, REDIS_BASE, TEST_SECRET } from './stack.js';

/**
 * The OTP routes' module graph as the API wires it, in the spec's own process: a database of its
 * own (migrated), a Redis database of its own, a real BullMQ queue that nothing consumes. The spec
 * closes it and runs `cleanups` when it ends.
 */
export async function startOtpApp(db: DbKind, cleanups: (() => Promise<void> | void)[]): Promise<TestingModule> {
  const config = AppConfig.fromEnvironment({
    DATABASE_URL: await createDatabase(db, cleanups),
    REDIS_URL: `${REDIS_BASE}/${await allocateRedisDb()}`,
    OTP_SECRET: TEST_SECRET,
    EMAIL_PROVIDER: 'console',
    LOG_LEVEL: 'silent',
  });
  const app = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), SecretsModule, DatabaseModule.forRoot({ runMigrations: true }), RedisModule, QueueModule, MetricsModule, AuthModule],
  }).compile();
  app.useLogger(false);
  await app.init();
  return app;
}
