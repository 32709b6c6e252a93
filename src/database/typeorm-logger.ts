import { Logger } from '@nestjs/common';
import { AbstractLogger, type LogLevel, type LogMessage } from 'typeorm';

/**
 * Sends TypeORM's own messages (migrations, failed queries) to the Nest logger instead of
 * console.log, so they reach the structured log and never stdout of the CLI, whose stdout is JSON.
 */
export class TypeOrmNestLogger extends AbstractLogger {
  private readonly logger = new Logger('TypeORM');

  protected writeLog(level: LogLevel, messages: LogMessage | string | number | (LogMessage | string | number)[]): void {
    for (const message of this.prepareLogMessages(messages)) {
      const text = typeof message.message === 'string' ? message.message : String(message.message);
      if (level === 'error') this.logger.error(text);
      else if (level === 'warn') this.logger.warn(text);
      else this.logger.debug(text);
    }
  }
}
