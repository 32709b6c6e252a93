import { PermanentDeliveryError } from '../delivery.types.js';

/** How long one provider HTTP call may take before it counts as a (retried) timeout. */
export const PROVIDER_TIMEOUT_MS = 10_000;

/**
 * Turns a non-2xx answer into the error the queue acts on: 408, 429 and 5xx are worth retrying
 * with backoff (plain Error); any other 4xx means this exact request will never succeed
 * (invalid or unsubscribed recipient, refused content), so the job fails at once.
 */
export function errorForStatus(provider: string, status: number, detail: string): Error {
  const message = `${provider} answered HTTP ${status}${detail ? `: ${detail}` : ''}`;
  const retryable = status === 408 || status === 429 || status >= 500;
  return retryable ? new Error(message) : new PermanentDeliveryError(message);
}

/** fetch with a timeout; network failures and timeouts surface as plain (retried) errors. */
export async function fetchWithTimeout(provider: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  } catch (error) {
    throw new Error(`${provider} request failed: ${(error as Error).message}`, { cause: error });
  }
}
