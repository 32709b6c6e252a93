import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { preflight } from './bootstrap.js';
import { WorkerModule } from './worker.module.js';

const config = await preflight();
const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
worker.useLogger(worker.get(Logger));
worker.enableShutdownHooks();
worker.get(Logger).log(`Delivery worker running (concurrency ${config.workerConcurrency})`, 'Bootstrap');
