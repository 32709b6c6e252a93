import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, Repository } from 'typeorm';
import { maskEmail, maskPhone } from '../common/masking.js';
import { AppConfig } from '../config/app-config.js';
import { batchInserter } from '../database/batcher.js';
import { AuditEventEntity } from './audit-event.entity.js';

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
  /** Every sign-in writes an event; concurrent ones share one INSERT. */
  private readonly insert: (row: AuditEventEntity) => Promise<void>;

  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
    private readonly config: AppConfig,
  ) {
    this.insert = batchInserter(events);
  }

  /** Records an event. An audit write failing is logged, never turned into a failed sign-in. */
  async record(input: AuditInput): Promise<void> {
    try {
      const row = this.events.create({
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
      await this.insert(row);
    } catch (error) {
      this.logger.error({ msg: 'could not write an audit event', action: input.action, error: (error as Error).message });
    }
  }

  /** Events oldest first, after the cursor (a `seq`); `nextCursor` is null on the last page. */
  async page(projectId: string, cursor: number, limit: number): Promise<{ events: AuditEventView[]; nextCursor: number | null }> {
    const rows = await this.events.find({ where: { projectId, seq: MoreThan(cursor) }, order: { seq: 'ASC' }, take: limit + 1 });
    const page = rows.slice(0, limit);
    return { events: page.map(toView), nextCursor: rows.length > limit ? page.at(-1)!.seq : null };
  }

  /** The user's successful sign-ins, newest first. */
  async signIns(projectId: string, userId: string, limit: number): Promise<AuditEventView[]> {
    const rows = await this.events.find({ where: { projectId, userId, action: 'sign_in', outcome: 'success' }, order: { seq: 'DESC' }, take: limit });
    return rows.map(toView);
  }

  async prune(now = Date.now()): Promise<number> {
    const result = await this.events.delete({ createdAt: LessThan(now - this.config.auditRetentionDays * 86_400_000) });
    return result.affected ?? 0;
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
