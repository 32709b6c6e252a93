import { createTransport, type Transporter } from 'nodemailer';
import { type MessageProvider, type OutboundMessage, PermanentDeliveryError, type ProviderResult } from '../../delivery.types.js';

/** E-mail through any SMTP server (nodemailer, pooled connections). */
export class SmtpProvider implements MessageProvider {
  readonly name = 'smtp';
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    const url = new URL(smtpUrl);
    url.searchParams.set('pool', 'true');
    this.transport = createTransport(url.toString());
  }

  async send(message: OutboundMessage): Promise<ProviderResult> {
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
      return { providerMessageId: info.messageId };
    } catch (error) {
      // SMTP 5xx replies (unknown mailbox, rejected recipient) will not succeed on a retry.
      const code = (error as { responseCode?: number }).responseCode;
      if (code !== undefined && code >= 500 && code < 600) {
        throw new PermanentDeliveryError(`SMTP ${code}: ${(error as Error).message}`);
      }
      throw error;
    }
  }

  close(): void {
    this.transport.close();
  }
}
