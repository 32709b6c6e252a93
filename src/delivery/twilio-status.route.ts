/** The route Twilio's status callbacks come to (TwilioStatusController), under PUBLIC_URL. */
export const TWILIO_STATUS_PATH = 'v1/delivery/twilio/status';

/** Twilio's StatusCallback for messages and calls; none without PUBLIC_URL, so records stop at `sent`. */
export function twilioStatusCallbackUrl(publicUrl: string | null): string | undefined {
  return publicUrl ? `${publicUrl}/${TWILIO_STATUS_PATH}` : undefined;
}
