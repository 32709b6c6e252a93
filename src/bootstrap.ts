import { AppConfig, ConfigError } from './config/app-config.js';
import { assertRedisReachable, assertSameSecret, SecretMismatchError } from './redis/preflight.js';

/**
 * What every entry point does before Nest boots: validate the environment (one line per problem)
 * and make sure Redis answers. On failure it prints the reason and exits 1.
 */
export async function preflight(): Promise<AppConfig> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnvironment(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
      process.exit(1);
    }
    throw error;
  }
  if (config.usingDevelopmentSecret) {
    process.stderr.write(
      'WARNING: OTP_SECRET is not set; using the public development secret. Anyone can forge sealed data. Set OTP_SECRET (`openssl rand -base64 48`) before real use.\n',
    );
  }
  try {
    await assertRedisReachable(config);
    await assertSameSecret(config);
  } catch (error) {
    process.stderr.write(`${error instanceof SecretMismatchError ? 'config error: ' : ''}${(error as Error).message}\n`);
    process.exit(1);
  }
  return config;
}
