import { type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerRequest } from '@nestjs/throttler';
import { DomainError } from '../common/errors/domain-error.js';
import { type ThrottleCheck, RedisThrottlerStorage } from './redis-throttler.storage.js';

/** Which per-IP layer a route counts against, besides the global cap. */
export type IpLayer = 'send' | 'verify';

const IP_LAYER = 'rate-limit:ip-layer';

/** Marks a handler as a send or verify route for the per-IP limits. */
export const RateLimitLayer = (layer: IpLayer) => SetMetadata(IP_LAYER, layer);

export function ipLayerOf(context: ExecutionContext): IpLayer | undefined {
  return Reflect.getMetadata(IP_LAYER, context.getHandler()) as IpLayer | undefined;
}

type Counted = ThrottleCheck & { tracker: string };

/**
 * The throttler guard, answering like every other limit: 429 E130429 with Retry-After. The library
 * resolves each throttler's limit, window and key (handleRequest, here only collecting them); then
 * one script counts the request against all of them in their order, instead of a round trip each.
 * Our throttlers set no headers and ignore no user agents, the two handleRequest features left out.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly counting = new WeakMap<object, Counted[]>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!(this.storageService instanceof RedisThrottlerStorage)) return super.canActivate(context);
    const request = context.switchToHttp().getRequest<object>();
    const checks: Counted[] = [];
    this.counting.set(request, checks);
    try {
      await super.canActivate(context);
    } finally {
      this.counting.delete(request);
    }
    if (checks.length === 0) return true;
    const records = await this.storageService.incrementAll(checks[0]!.tracker, checks);
    for (const [i, record] of records.entries()) {
      if (record.isBlocked) await this.throwThrottlingException(context, { ...checks[i]!, ...record });
    }
    return true;
  }

  protected override async handleRequest({ context, limit, ttl, throttler, blockDuration, getTracker, generateKey }: ThrottlerRequest): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Record<string, unknown>>();
    const checks = this.counting.get(request);
    if (!checks) return super.handleRequest({ context, limit, ttl, throttler, blockDuration, getTracker, generateKey });
    const tracker = await getTracker(request, context);
    checks.push({ key: generateKey(context, tracker, throttler.name!), ttl, limit, blockDuration, tracker });
    return true;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new DomainError('RATE_LIMITED', 'Too many requests from this address: try again later', Math.max(1, detail.timeToBlockExpire));
  }
}
