import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/ports.js';
import { ROOT, Stack } from '../support/stack.js';
import { skipUnless } from '../support/tools.js';

const DOCKERFILE = join(ROOT, 'docker/Dockerfile');
const COMPOSE = join(ROOT, 'docker/compose.yml');

function run(command: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
}

/** The compose file as `docker-compose config` resolves it, parsed with the YAML library docker-compose itself uses. */
function resolvedCompose(env: Record<string, string> = {}): any {
  const config = run('docker-compose', ['-f', COMPOSE, 'config'], { OTP_SECRET: 'test-secret-0123456789abcdef0123456789', METRICS_TOKEN: 'test-metrics-token-0123', ...env });
  assert.equal(config.status, 0, config.stderr);
  const parsed = spawnSync('python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], { input: config.stdout, encoding: 'utf8' });
  assert.equal(parsed.status, 0, parsed.stderr);
  return JSON.parse(parsed.stdout);
}

/** docker-compose resolves the compose file without an engine; PyYAML parses what it prints. */
const noDockerCompose = skipUnless('docker-compose', 'apt-get install docker-compose');
const noCompose =
  noDockerCompose ||
  skipUnless('python3-yaml', 'apt-get install python3-yaml', spawnSync('python3', ['-c', 'import yaml']).status === 0);

describe('Docker files', () => {
  it('pass their linters (npm run lint:docker), and the linter fails on a broken Dockerfile', { skip: noDockerCompose }, () => {
    const lint = run('npm', ['run', '--silent', 'lint:docker']);
    assert.equal(lint.status, 0, lint.stdout + lint.stderr);
    const dir = mkdtempSync(join(tmpdir(), 'otp-docker-'));
    try {
      const broken = join(dir, 'Dockerfile');
      writeFileSync(broken, readFileSync(DOCKERFILE, 'utf8').replace('EXPOSE 3000', 'EXPOSE http'));
      const refused = run('node', ['docker/lint.mjs', broken, COMPOSE]);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /Invalid containerPort/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds in stages and runs as a non-root user with production dependencies only, the API by default', () => {
    const text = readFileSync(DOCKERFILE, 'utf8');
    assert.equal(text.match(/^FROM /gm)?.length, 2);
    assert.match(text, /npm prune --omit=dev/);
    assert.match(text, /apt-get install .*python3 make g\+\+/, 'better-sqlite3 can compile in the build stage');
    const runtime = text.slice(text.lastIndexOf('\nFROM '));
    assert.match(runtime, /^USER node$/m);
    assert.doesNotMatch(runtime, /\bsrc\b/, 'the runtime stage has no sources');
    assert.match(runtime, /^CMD \["node", "dist\/main.js"\]$/m);
  });

  it('composes api, scalable worker, redis, postgres and a mail catcher, each with a health check; only the API migrates', { skip: noCompose }, () => {
    const compose = resolvedCompose();
    const services = compose.services;
    assert.deepEqual(Object.keys(services).sort(), ['api', 'grafana', 'mailpit', 'postgres', 'prometheus', 'redis', 'worker']);
    for (const [name, service] of Object.entries<any>(services)) assert.ok(service.healthcheck?.test, `${name} has a health check`);
    assert.deepEqual(services.worker.command, ['node', 'dist/worker.js']);
    assert.equal(services.worker.ports, undefined, 'no published port, so --scale worker=N works');
    assert.equal(services.worker.container_name, undefined);
    assert.equal(services.worker.depends_on.api.condition, 'service_healthy', 'workers wait for the API to have migrated');
    assert.equal(services.worker.environment.WORKER_HEALTH_PORT, '9464');
    assert.deepEqual(services.api.command, ['node', 'dist/main.js']);
    assert.match(services.api.environment.DATABASE_URL, /^postgres:\/\/.*@postgres:5432\//);
  });

  it('pins every image it pulls, passes the phone-channel settings through and keeps /metrics behind METRICS_TOKEN', { skip: noCompose }, () => {
    const compose = resolvedCompose({ SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: 'AC0123', TWILIO_FROM: '+15005550006' });
    const services = compose.services;
    for (const [name, service] of Object.entries<any>(services)) {
      if (service.build) continue;
      assert.match(service.image, /:[^:]+$/, `${name} names a tag`);
      assert.doesNotMatch(service.image, /:latest$/, `${name} is pinned`);
    }
    for (const name of ['api', 'worker']) {
      const environment = services[name].environment;
      assert.equal(environment.SMS_PROVIDER, 'twilio', name);
      assert.equal(environment.TWILIO_FROM, '+15005550006', name);
      for (const variable of ['VOICE_PROVIDER', 'WHATSAPP_PROVIDER', 'TWILIO_AUTH_TOKEN', 'TWILIO_WHATSAPP_FROM', 'PUBLIC_URL', 'DELIVERY_WEBHOOK_URL']) {
        assert.ok(variable in environment, `${name} passes ${variable}`);
      }
      assert.equal(environment.METRICS_TOKEN, 'test-metrics-token-0123', `${name}'s /metrics needs the token`);
    }
    const refused = run('docker-compose', ['-f', COMPOSE, 'config', '-q'], { OTP_SECRET: 'test-secret-0123456789abcdef0123456789', METRICS_TOKEN: '' });
    assert.notEqual(refused.status, 0, 'no stack with an open /metrics');
    assert.match(refused.stderr, /METRICS_TOKEN/);
    for (const name of ['prometheus', 'grafana']) {
      for (const port of services[name].ports) assert.equal(String(port.host_ip ?? port).startsWith('127.0.0.1'), true, `${name} is published on localhost only`);
    }
    assert.ok(services.prometheus.volumes.some((v: any) => /docker\/prometheus:\/etc\/prometheus/.test(String(v))));
    assert.ok(services.grafana.volumes.some((v: any) => /docker\/grafana\/provisioning:\/etc\/grafana\/provisioning/.test(String(v))));
  });

  describe('the health-check command the images run', () => {
    let stack: Stack;
    before(async () => {
      stack = await Stack.start({ workers: 0 });
    });
    after(async () => {
      await stack?.stop();
    });

    it('works outside Docker: exit 0 for a ready API, 1 for a closed port', async () => {
      const ok = run('node', ['dist/healthcheck.js', `${stack.baseUrl}/health/ready`]);
      assert.equal(ok.status, 0, ok.stderr);
      const closed = run('node', ['dist/healthcheck.js', `http://127.0.0.1:${await freePort()}/health/ready`]);
      assert.equal(closed.status, 1);
    });
  });
});
