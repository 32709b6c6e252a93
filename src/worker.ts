import 'reflect-metadata';
import { preflight } from './bootstrap.js';

const config = await preflight();
const { startWorker } = await import('./worker-runner.js');
await startWorker(config);
