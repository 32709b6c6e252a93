import 'reflect-metadata';
import { preflight } from './bootstrap.js';

// Configuration and Redis are checked before the framework is even loaded, so a bad environment
// fails in well under a second with the reason.
const config = await preflight({ privateRedis: true });
const { startApi } = await import('./api-runner.js');
await startApi(config);
