import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

/**
 * The environment every entry point validates: `.env` in the working directory when there is one,
 * overridden by the real environment (so `PORT=4000 npm start` beats the file, as with Docker's
 * env_file and dotenv). The process's own environment is left untouched.
 */
export function loadEnvironment(env: NodeJS.ProcessEnv = process.env, file = resolve('.env')): NodeJS.ProcessEnv {
  if (!existsSync(file)) return env;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...env };
}
