import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { maskEmail, maskPhone } from '../common/masking.js';
import { AppConfig } from '../config/app-config.js';
import type { AuditEventEntity } from './audit-event.entity.js';
import { AuditRepository } from './audit.repository.js';

export type AuditAction = 'sign_in' | 'wrong_code' | 'expired_code' | 'lockout' | 'address_update' | 'refresh_theft' | 'logout';

/** One event, as a feature reports it: `audit.record({ projectId, action, ... })`. */
export interface AuditInput {
  projectId: string;
  action: AuditAction;
  outcome: 'success' | 'failure';
  userId?: string | null;
  /** Stored masked. */
  loginId?: string | null;
  /** The method used: email, sms, voice, whatsapp, refresh... */
  method?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditEventView {
  seq: number;
  time: number;
  action: string;
  outcome: string;
  userId: string | null;
  loginId: string | null;
  method: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  detail: Record<string, unknown> | null;
}

const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** The audit trail: written by the flows, read page by page by the management route, pruned after AUDIT_RETENTION_DAYS. */
@Injectable()
export class AuditService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly events: AuditRepository,
    private readonly config: AppConfig,
  ) {}

  /** Records an event. An audit write failing is logged, never turned into a failed sign-in. */
  async record(input: AuditInput): Promise<void> {
    try {
      await this.events.insert({
        projectId: input.projectId,
        action: input.action,
        outcome: input.outcome,
        userId: input.userId ?? null,
        loginIdMasked: input.loginId ? maskLoginId(input.loginId) : null,
        method: input.method ?? null,
        ip: input.ip ?? null,
        userAgent: input.userAgent?.slice(0, 512) ?? null,
        requestId: input.requestId ?? null,
        detail: input.detail ?? null,
        createdAt: Date.now(),
      });
    } catch (error) {
      this.logger.error({ msg: 'could not write an audit event', action: input.action, error: (error as Error).message });
    }
  }

  /** Events oldest first, after the cursor (a `seq`); `nextCursor` is null on the last page. */
  async page(projectId: string, cursor: number, limit: number): Promise<{ events: AuditEventView[]; nextCursor: number | null }> {
    const rows = await this.events.after(projectId, cursor, limit + 1);
    const page = rows.slice(0, limit);
    return { events: page.map(toView), nextCursor: rows.length > limit ? page.at(-1)!.seq : null };
  }

  /** The user's successful sign-ins, newest first. */
  async signIns(projectId: string, userId: string, limit: number): Promise<AuditEventView[]> {
    return (await this.events.signIns(projectId, userId, limit)).map(toView);
  }

  async prune(now = Date.now()): Promise<number> {
    return this.events.deleteBefore(now - this.config.auditRetentionDays * 86_400_000);
  }

  onApplicationBootstrap(): void {
    const run = () => void this.prune().catch((error: unknown) => this.logger.warn({ msg: 'audit pruning failed', error: (error as Error).message }));
    run();
    this.timer = setInterval(run, PRUNE_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

function maskLoginId(loginId: string): string {
  if (loginId.includes('@')) return maskEmail(loginId);
  if (/^\+?\d{5,}$/.test(loginId)) return maskPhone(loginId);
  return loginId.length <= 2 ? '***' : `${loginId[0]}***${loginId.at(-1)}`;
}

function toView(row: AuditEventEntity): AuditEventView {
  return {
    seq: row.seq,
    time: row.createdAt,
    action: row.action,
    outcome: row.outcome,
    userId: row.userId,
    loginId: row.loginIdMasked,
    method: row.method,
    ip: row.ip,
    userAgent: row.userAgent,
    requestId: row.requestId,
    detail: row.detail,
  };
}
