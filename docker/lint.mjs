#!/usr/bin/env node
// `npm run lint:docker`: lints docker/Dockerfile with dockerfile-utils (any error or warning fails)
// and validates docker/compose.yml with `docker-compose config` (Debian's docker-compose; no engine
// needed). Exits non-zero on any problem.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dockerfile = process.argv[2] ?? join(here, 'Dockerfile');
const compose = process.argv[3] ?? join(here, 'compose.yml');
let failed = false;

const lint = spawnSync('npx', ['--no-install', 'dockerfile-utils', 'lint', dockerfile], { encoding: 'utf8' });
const findings = `${lint.stdout}${lint.stderr}`.trim();
if (lint.status !== 0 || findings) {
  process.stderr.write(`${dockerfile}:\n${findings || `dockerfile-utils exited ${lint.status}`}\n`);
  failed = true;
} else {
  process.stdout.write(`${dockerfile}: dockerfile-utils found no problems\n`);
}

// The compose file requires OTP_SECRET and METRICS_TOKEN from the environment; placeholders are enough to validate it.
const env = {
  ...process.env,
  OTP_SECRET: process.env.OTP_SECRET ?? 'lint-placeholder-secret-0123456789abcdef',
  METRICS_TOKEN: process.env.METRICS_TOKEN ?? 'lint-placeholder-metrics-token',
};
const config = spawnSync('docker-compose', ['-f', compose, 'config', '-q'], { encoding: 'utf8', env });
if (config.error) {
  process.stderr.write(`docker-compose is not installed (apt-get install -y docker-compose): ${config.error.message}\n`);
  failed = true;
} else if (config.status !== 0) {
  process.stderr.write(`${compose}:\n${config.stderr.trim()}\n`);
  failed = true;
} else {
  process.stdout.write(`${compose}: docker-compose config found no problems\n`);
}
process.exit(failed ? 1 : 0);
