import { FakeTwilio } from './fake-twilio.js';
import { twilioEnv } from './flows.js';
import { SmtpSink } from './smtp-sink.js';
import { type DbKind, Stack } from './stack.js';

/** A stack whose e-mail goes to an SMTP sink and whose phone channels go to a fake Twilio. */
export interface MailAndPhoneStack {
  stack: Stack;
  sink: SmtpSink;
  twilio: FakeTwilio;
  stop(): Promise<void>;
}

export async function startMailAndPhoneStack(db: DbKind): Promise<MailAndPhoneStack> {
  const sink = await new SmtpSink().start();
  const twilio = await new FakeTwilio().start();
  const stopFakes = async () => {
    await twilio.stop();
    await sink.stop();
  };
  let stack: Stack;
  try {
    stack = await Stack.start({ db, env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url, ...twilioEnv(twilio.url) } });
  } catch (error) {
    await stopFakes();
    throw error;
  }
  return {
    stack,
    sink,
    twilio,
    stop: async () => {
      await stack.stop();
      await stopFakes();
    },
  };
}
