import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppConfig } from './config/app-config.js';
import { createHttpApp } from './http-app.js';
import { WorkerModule } from './worker.module.js';

export async function startApi(config: AppConfig): Promise<void> {
  const app = await createHttpApp(config);
  await app.listen(config.port, config.host);
  const logger = app.get(Logger);
  const local = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  logger.log(`API listening on ${local} (Swagger UI at ${local}/docs)`, 'Bootstrap');
  if (!config.isProduction) {
    logger.log(`Next: node dist/cli.js project create --name "My App", then authorize ${local}/docs with the projectId`, 'Bootstrap');
  }

  if (config.runWorker) {
    // RUN_WORKER=true runs a delivery worker in this process too; it is its own Nest context, so the
    // API module graph still never holds a processor.
    // METRICS_PORT belongs to the API's registry; the worker inside would compete for the port.
    const workerConfig: AppConfig = Object.assign(Object.create(AppConfig.prototype) as AppConfig, config, { metricsListener: null });
    const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(workerConfig), { bufferLogs: true });
    worker.useLogger(worker.get(Logger));
    worker.enableShutdownHooks();
    logger.log('Delivery worker running in the API process (RUN_WORKER=true)', 'Bootstrap');
  }
}
