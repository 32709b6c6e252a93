import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { emailSignIn } from '../support/flows.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { ROOT, Stack } from '../support/stack.js';
import { skipUnless } from '../support/tools.js';

const RULES = join(ROOT, 'docker/prometheus/alerts.yml');
const DASHBOARD = join(ROOT, 'docker/grafana/dashboards/otp-server.json');

/** Debian's prometheus package; .ci/run installs it. */
const noPromtool = skipUnless('promtool', 'apt-get install prometheus');

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  assert.ok(!result.error, `promtool is missing (apt-get install -y prometheus): ${result.error?.message}`);
  return result;
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords, labels, durations or strings. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = [...bare.matchAll(/(?<![\w$.])([a-zA-Z_:][\w:]*)\b(?!\s*\()/g)].map((m) => m[1]!).filter((name) => !PROMQL_WORDS.has(name.toLowerCase()));
  return [...new Set(names)];
}

/** Every `expr:` of the rules file (one line, or a `|` block). */
function ruleExpressions(yaml: string): string[] {
  const exprs: string[] = [];
  const lines = yaml.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^(\s*)expr:\s*(.*)$/.exec(lines[i]!);
    if (!match) continue;
    if (match[2] !== '|') {
      exprs.push(match[2]!);
      continue;
    }
    const block: string[] = [];
    while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || lines[i + 1]!.search(/\S/) > match[1]!.length)) block.push(lines[++i]!);
    exprs.push(block.join('\n'));
  }
  return exprs;
}

/** The names a /metrics page defines, with each histogram's series (_bucket, _sum, _count). */
function exposedNames(metrics: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of metrics.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
    names.add(name!);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name! + suffix);
  }
  return names;
}

describe('Prometheus rules and the Grafana dashboard', () => {
  let stack: Stack;
  let sink: SmtpSink;

  before(async () => {
    sink = await new SmtpSink().start();
    stack = await Stack.start({ env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url } });
  });
  after(async () => {
    await stack?.stop();
    await sink?.stop();
  });

  it('finds the metric names of a PromQL expression', () => {
    assert.deepEqual(metricNames('sum by (channel) (rate(otp_funnel_total{outcome="failed"}[10m])) / on(x) nope_total > 0.1'), ['otp_funnel_total', 'nope_total']);
    assert.deepEqual(metricNames('histogram_quantile(0.95, sum by (le) (rate(x_bucket[$__rate_interval])))'), ['x_bucket']);
  });

  it('promtool accepts the alert rules, and refuses a broken copy', { skip: noPromtool }, () => {
    const checked = promtool('check', 'rules', RULES);
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /SUCCESS: \d+ rules found/);
    const dir = mkdtempSync(join(tmpdir(), 'otp-rules-'));
    try {
      const broken = join(dir, 'alerts.yml');
      writeFileSync(broken, readFileSync(RULES, 'utf8').replace('max(delivery_queue_oldest_waiting_seconds) > 60', 'max(delivery_queue_oldest_waiting_seconds > 60'));
      assert.notEqual(promtool('check', 'rules', broken).status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fires each alert on the traffic it is about, and only there (promtool test rules)', { skip: noPromtool }, () => {
    const tested = promtool('test', 'rules', join(ROOT, 'docker/prometheus/alerts.test.yml'));
    assert.equal(tested.status, 0, tested.stdout + tested.stderr);
    assert.match(tested.stdout, /SUCCESS/);
  });

  it('uses only metrics that a live /metrics exposes, after a sign-in', async () => {
    const { projectId } = await stack.createProject('Dashboards');
    const { verified } = await emailSignIn(stack, sink, projectId, 'signup', 'dash@example.com');
    assert.equal(verified.status, 200);
    const metrics = await stack.request('GET', '/metrics');
    assert.equal(metrics.status, 200);
    const exposed = exposedNames(metrics.text);

    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const used = new Map<string, string>();
    for (const panel of dashboard.panels) for (const target of panel.targets) for (const name of metricNames(target.expr)) used.set(name, `dashboard panel "${panel.title}"`);
    for (const expr of ruleExpressions(readFileSync(RULES, 'utf8'))) for (const name of metricNames(expr)) used.set(name, `rule ${expr.trim().slice(0, 60)}`);

    for (const name of ['otp_funnel_total', 'otp_delivery_latency_seconds_bucket', 'delivery_queue_jobs', 'delivery_queue_oldest_waiting_seconds', 'delivery_provider_errors_total', 'rate_limit_refusals_total']) {
      assert.ok(used.has(name), `the dashboard or the rules use ${name}`);
    }
    const unknown = [...used].filter(([name]) => !exposed.has(name)).map(([name, where]) => `${name} (${where})`);
    assert.deepEqual(unknown, [], 'metrics that /metrics does not expose');
    assert.match(metrics.text, new RegExp(`otp_funnel_total\\{project="${projectId}",channel="email",outcome="verified"\\} 1`));
  });
});
