import { ProjectFactory, type CreatedProject } from '../test/support/projects.js';

export const BENCH_SECRET = 'bench-only-secret-0123456789abcdef0123456789abcdef';

/**
 * The bench project's settings. Every limit stays evaluated on every request; only its thresholds are
 * raised so that they do not refuse the load.
 */
export const BENCH_PROJECT_SETTINGS: Record<string, string> = {
  ipSendLimit: '1000000',
  ipVerifyLimit: '1000000',
  recipientLimit: '1000000',
  recipientIpLimit: '1000000',
  recipientCooldownSeconds: '0',
  messageBudgetEmail: '100000000',
  loginIdWrongAttemptLimit: '1000000',
  loginIdIpWrongAttemptLimit: '1000000',
};

/** The bench project, created as the tests create theirs (the CLI's commands, test/support/projects.ts). */
export async function createBenchProject(env: Record<string, string>): Promise<CreatedProject> {
  const factory = new ProjectFactory(env);
  try {
    return await factory.create('Bench', BENCH_PROJECT_SETTINGS);
  } finally {
    await factory.close();
  }
}
