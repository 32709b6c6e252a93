import { Logger } from '@nestjs/common';
import { AbstractLogger, type LogLevel, type LogMessage } from 'typeorm';

/**
 * Sends TypeORM's own messages (migrations, failed queries) to the Nest logger instead of
 * console.log, so they reach the structured log and never stdout of the CLI, whose stdout is JSON.
 * Query parameters are never written: they are login IDs, addresses and names (a failed INSERT of
 * an existing login ID would otherwise log the address in clear). The SQL text keeps its `$1`/`?`
 * placeholders, which is enough to find the statement.
 */
export class TypeOrmNestLogger extends AbstractLogger {
  private readonly logger = new Logger('TypeORM');

  protected writeLog(level: LogLevel, messages: LogMessage | string | number | (LogMessage | string | number)[]): void {
    for (const message of this.prepareLogMessages(messages, { appendParameterAsComment: false, highlightSql: false })) {
      const text = typeof message.message === 'string' ? message.message : String(message.message);
      if (level === 'error') this.logger.error(text);
      else if (level === 'warn') this.logger.warn(text);
      else this.logger.debug(text);
    }
  }
}
