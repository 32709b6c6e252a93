import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class AuditQueryDto {
  /**
   * Return events after this one (the `nextCursor` of the previous page); 0 or absent for the first page.
   * @example 0
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  cursor?: number;

  /**
   * Events per page.
   * @example 100
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class AuditEventDto {
  /** Position in the trail; events are listed in this order. */
  seq!: number;
  /** Unix milliseconds. */
  time!: number;
  /** sign_in, wrong_code, expired_code, lockout, address_update, refresh_theft, logout. @example "sign_in" */
  action!: string;
  /** @example "success" */
  outcome!: string;
  userId!: string | null;
  /** Masked. @example "a***@example.com" */
  loginId!: string | null;
  /** @example "email" */
  method!: string | null;
  ip!: string | null;
  userAgent!: string | null;
  requestId!: string | null;
  detail!: Record<string, unknown> | null;
}

export class AuditPageDto {
  events!: AuditEventDto[];
  /** Pass as `cursor` for the next page; null when this is the last. */
  nextCursor!: number | null;
}
