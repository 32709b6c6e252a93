import { Logger } from '@nestjs/common';
import type { MessageProvider, OutboundMessage, ProviderResult } from '../../delivery.types.js';

/**
 * Development only: prints the message instead of sending it. AppConfig refuses it when
 * NODE_ENV=production, because the printed text holds the code.
 */
export class ConsoleProvider implements MessageProvider {
  readonly name = 'console';
  private readonly logger = new Logger('ConsoleProvider');

  async send(message: OutboundMessage): Promise<ProviderResult> {
    this.logger.warn(`[development only] ${message.type} ${message.channel} to ${message.to}: ${message.subject}\n${message.text}`);
    return {};
  }
}
