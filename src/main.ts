import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { preflight } from './bootstrap.js';
import { createHttpApp } from './http-app.js';
import { WorkerModule } from './worker.module.js';

const config = await preflight();
const app = await createHttpApp(config);
await app.listen(config.port, config.host);
const logger = app.get(Logger);
logger.log(`API listening on http://${config.host}:${config.port} (Swagger UI at /docs)`, 'Bootstrap');

if (config.runWorker) {
  // RUN_WORKER=true runs a delivery worker in this process too; it is its own Nest context, so the
  // API module graph still never holds a processor.
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  worker.useLogger(worker.get(Logger));
  worker.enableShutdownHooks();
  logger.log('Delivery worker running in the API process (RUN_WORKER=true)', 'Bootstrap');
}
