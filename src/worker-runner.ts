import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from './config/app-config.js';
import { WorkerModule } from './worker.module.js';

export async function startWorker(config: AppConfig): Promise<void> {
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  worker.useLogger(worker.get(Logger));
  worker.enableShutdownHooks();
  worker.get(Logger).log(`Delivery worker running (concurrency ${config.workerConcurrency})`, 'Bootstrap');
}
