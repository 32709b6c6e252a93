import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** Arbitrary, fixed: the PostgreSQL advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 7_246_310_581;

/**
 * Runs pending migrations at boot of the API and the CLI (never the worker). Several API processes
 * may boot at once: on PostgreSQL an advisory lock lets one migrate while the others wait; on SQLite
 * the file lock does the same.
 */
@Injectable()
export class MigrationsService implements OnModuleInit {
  private readonly logger = new Logger('Migrations');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    if (this.dataSource.options.type !== 'postgres') return this.migrate();
    // A session-level lock must be taken and released on the same connection, not the pool's any.
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await this.migrate();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      await runner.release();
    }
  }

  private async migrate(): Promise<void> {
    // Another process migrating the same SQLite file at the same moment makes ours fail; retry until
    // nothing is pending (PostgreSQL never gets here twice: the advisory lock serialises it).
    for (let attempt = 1; ; attempt++) {
      try {
        const applied = await this.dataSource.runMigrations({ transaction: 'each' });
        if (applied.length) this.logger.log(`Applied ${applied.map((m) => m.name).join(', ')}`);
        return;
      } catch (error) {
        if (!(await this.dataSource.showMigrations())) return;
        if (attempt === 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }
}
