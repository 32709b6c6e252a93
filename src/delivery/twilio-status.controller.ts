import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { TwilioStatusService } from './twilio-status.service.js';
import { TWILIO_STATUS_PATH } from './twilio-status.route.js';

/**
 * Twilio's StatusCallback target. Authenticated by Twilio's request signature, not by a project
 * bearer; left out of Swagger because only Twilio calls it.
 */
@ApiExcludeController()
@Controller(TWILIO_STATUS_PATH)
export class TwilioStatusController {
  constructor(private readonly status: TwilioStatusService) {}

  @Post()
  @HttpCode(200)
  async report(@Body() form: Record<string, string>, @Headers('x-twilio-signature') signature: string | undefined): Promise<Record<string, never>> {
    await this.status.handle(form ?? {}, signature);
    return {};
  }
}
