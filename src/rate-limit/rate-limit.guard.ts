import { type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { DomainError } from '../common/errors/domain-error.js';

/** Which per-IP layer a route counts against, besides the global cap. */
export type IpLayer = 'send' | 'verify';

const IP_LAYER = 'rate-limit:ip-layer';

/** Marks a handler as a send or verify route for the per-IP limits. */
export const RateLimitLayer = (layer: IpLayer) => SetMetadata(IP_LAYER, layer);

export function ipLayerOf(context: ExecutionContext): IpLayer | undefined {
  return Reflect.getMetadata(IP_LAYER, context.getHandler()) as IpLayer | undefined;
}

/** The throttler guard, answering like every other limit: 429 E130429 with Retry-After. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new DomainError('RATE_LIMITED', 'Too many requests from this address: try again later', Math.max(1, detail.timeToBlockExpire));
  }
}
