import type { BenchContext } from './context.js';
import { pidProbe, RoleMeter, rssMb } from './meter.js';
import { duration } from './options.js';
import type { DeliveryProducer } from './producer.js';
import { type Row, withRoles } from './report.js';

/**
 * Delivery throughput: jobs are queued (sealed, by the product's own producer) while the queue is
 * paused, the workers start, then the queue resumes and the clock runs until it is empty or the
 * duration is over.
 */
export async function drain(context: BenchContext, delivery: DeliveryProducer, workerCount: number, delayMs: number): Promise<Row> {
  const { queue } = delivery;
  const perWorkerPerSecond = delayMs > 0 ? (1000 / delayMs) * 50 : 12_000;
  const jobs = Math.ceil(perWorkerPerSecond * workerCount * duration * 1.2);
  await queue.pause();
  await delivery.enqueue(jobs);
  const workers = await context.startWorkers(workerCount, { SINK_DELAY_MS: String(delayMs), WORKER_CONCURRENCY: '50' });
  const meter = await new RoleMeter({ worker: pidProbe(() => workers.map((w) => w.pid)), ...context.storeProbes() }).start();
  const started = performance.now();
  await queue.resume();
  let remaining = jobs;
  while (performance.now() - started < duration * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    remaining = Object.values(counts).reduce((a, b) => a + b, 0);
    if (remaining === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const roles = await meter.stop();
  const failed = await queue.getFailedCount();
  const rss = Math.max(...workers.map((w) => rssMb(w.pid)));
  await Promise.all(workers.map((w) => w.stop()));
  await queue.obliterate({ force: true });
  const label = delayMs > 0 ? `delivery: ${workerCount} worker${workerCount > 1 ? 's' : ''}, ${delayMs} ms sink` : 'delivery: 1 worker, instant sink';
  return { scenario: label, unit: 'jobs/s', rps: (jobs - remaining) / seconds, p50: NaN, p99: NaN, errors: failed, non2xx: 0, rssMb: rss, ...withRoles(roles) };
}
