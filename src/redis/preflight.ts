import { Redis } from 'ioredis';

/**
 * Pings Redis before Nest boots so that an unreachable Redis stops the process with one clear line
 * instead of a hang (BullMQ and ioredis otherwise retry forever).
 */
export async function assertRedisReachable(url: string, timeoutMs = 5000): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      try {
        if (client.status !== 'ready') await client.connect();
        await client.ping();
        return;
      } catch (error) {
        lastError = error;
        client.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new Error(`Cannot reach Redis at REDIS_URL=${redact(url)}: ${reason}`);
  } finally {
    client.disconnect();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
