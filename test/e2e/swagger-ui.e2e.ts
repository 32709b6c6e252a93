import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { emailSignIn } from '../support/flows.js';
import { extractCode, SmtpSink } from '../support/smtp-sink.js';
import { eventually, ROOT, Stack } from '../support/stack.js';
import { skipUnless } from '../support/tools.js';

/** Debian's chromium package; the test never downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');

describe('Swagger UI in headless Chromium', { skip: skipUnless(CHROMIUM, 'apt-get install chromium') }, () => {
  let stack: Stack;
  let sink: SmtpSink;
  let browser: BrowserContext;
  let profile: string;

  before(async () => {
    sink = await new SmtpSink().start();
    stack = await Stack.start({ env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url } });
    profile = mkdtempSync(join(tmpdir(), 'otp-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
    await sink?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('authorizes with a project ID, runs "Try it out" on the email sign-in route and shows the 200 answer', async () => {
    const { projectId } = await stack.createProject('Swagger Demo');
    const loginId = 'swagger-user@example.com';
    // Signed up and verified once, so that a sign-in finds the user.
    const { verified } = await emailSignIn(stack, sink, projectId, 'signup', loginId);
    assert.equal(verified.status, 200);

    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/docs`);
    await page.locator('button.authorize').first().click();
    const scheme = page.locator('.modal-ux form').filter({ hasText: 'ProjectId (http, Bearer)' });
    await scheme.locator('input').fill(projectId);
    await scheme.locator('button.authorize').click();
    await scheme.locator('button.btn-done').click();

    const operation = page.locator('.opblock-post').filter({ has: page.locator('[data-path="/v1/auth/otp/signin/email"]') });
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('textarea.body-param__text').fill(JSON.stringify({ loginId }));
    await operation.locator('button.execute').click();

    const status = operation.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 15_000 });
    assert.equal((await status.innerText()).trim(), '200');
    const body = await operation.locator('.live-responses-table .response-col_description pre').first().innerText();
    assert.deepEqual(JSON.parse(body), { maskedEmail: 's***@example.com' });
    const curl = await operation.locator('.curl-command').innerText();
    assert.match(curl, new RegExp(`Authorization: Bearer ${projectId}`));
    await sink.waitFor(loginId, 2);

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'swagger-ui-signin.png');
    await operation.locator('.live-responses-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot, fullPage: false });
    assert.ok(statSync(shot).size > 10_000, 'the screenshot was written');
  });
  it('explains each scheme in plain words and runs the sign-up, verify and me examples as shown, each answering 200', async () => {
    const { projectId } = await stack.createProject('Swagger Examples');
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/docs`);

    await page.locator('button.authorize').first().click();
    const dialog = page.locator('.modal-ux');
    const text = await dialog.innerText();
    assert.match(text, /paste your project ID alone/);
    assert.match(text, /paste your project ID, a colon, then the refreshJwt from a verify answer/);
    assert.match(text, /paste your project ID, a colon, then a management key/);
    assert.match(text, /P2abcDEF\.\.\.:eyJhbGciOi\.\.\./, 'the example bearer is shown, not eaten as HTML');
    await authorize(page, 'ProjectId', projectId);

    const signup = await execute(page, 'post', '/v1/auth/otp/signup/email');
    assert.equal(signup.status, '200', signup.body);
    assert.deepEqual(JSON.parse(signup.body), { maskedEmail: 'a***@example.com' });
    const loginId = JSON.parse(signup.sent).loginId as string;
    const code = extractCode((await sink.waitFor(loginId)).text);

    // The example cannot know the code the user received: that one field is the visitor's to type.
    const verify = await execute(page, 'post', '/v1/auth/otp/verify/email', (example) => ({ ...example, code }));
    assert.equal(verify.status, '200', verify.body);
    const { refreshJwt } = JSON.parse(verify.body) as { refreshJwt: string };
    assert.ok(refreshJwt);

    await page.locator('button.authorize').first().click();
    await authorize(page, 'RefreshJwt', `${projectId}:${refreshJwt}`);
    const me = await execute(page, 'get', '/v1/auth/me');
    assert.equal(me.status, '200', me.body);
    assert.deepEqual(JSON.parse(me.body).loginIds, [loginId]);
  });
  it('gives every route with a body an example that works as sent, with the bearer its security names', async () => {
    const { projectId, managementKey } = await stack.createProject('Swagger Every Example');
    const document = (await stack.request('GET', '/docs/json')).body as {
      paths: Record<string, Record<string, { security?: Record<string, unknown>[]; requestBody?: { content: Record<string, { example?: unknown }> } }>>;
    };
    const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.requestBody)
        .map(([method, operation]) => ({ path, method, scheme: Object.keys(operation.security?.[0] ?? {})[0], example: operation.requestBody!.content['application/json']?.example })),
    );
    const missing = routes.filter((route) => route.example === undefined).map((route) => route.path);
    assert.deepEqual(missing, [], 'routes whose body Swagger UI would fill with "string" and true');

    // A visitor's order: sign up and verify (a user exists from then on), sign in, use the session, then the management API.
    const phase = (path: string) =>
      [/\/otp\/signup\//, /\/otp\/verify\//, /\/otp\/(signin|signup-in)\//, /\/otp\/update\//, /\/mgmt\/user\/create/, /\/mgmt\//].findIndex((re) => re.test(path)) +
      (path.endsWith('/user/delete') ? 10 : 0);
    routes.sort((a, b) => phase(a.path) - phase(b.path));
    let refresh = '';
    const sent = new Map<string, number>();
    const mailsBefore = sink.to('ada@example.com').length;
    for (const route of routes) {
      let body = route.example as Record<string, unknown>;
      const channel = route.path.split('/').pop()!;
      if (route.path.includes('/otp/verify/')) {
        const loginId = String(body.loginId);
        const count = sent.get(channel) ?? 0;
        const code =
          channel === 'email'
            ? await sink.codeFor(loginId, mailsBefore + count)
            : await eventually(() => consoleCodes(stack.logs(), channel, loginId).length >= count && consoleCodes(stack.logs(), channel, loginId).at(-1), 10_000, `${channel} code`);
        body = { ...body, code };
      }
      if (/\/otp\/(signup|signin|signup-in)\//.test(route.path)) sent.set(channel, (sent.get(channel) ?? 0) + 1);
      const bearer = route.scheme === 'ProjectId' ? projectId : route.scheme === 'RefreshJwt' ? `${projectId}:${refresh}` : `${projectId}:${managementKey}`;
      const answer = await stack.request(route.method.toUpperCase(), route.path, { body, bearer });
      assert.equal(answer.status, 200, `${route.method} ${route.path} ${JSON.stringify(body)}: ${answer.text}`);
      if (route.path === '/v1/auth/otp/verify/email') refresh = answer.body.refreshJwt;
    }
  });
});

/** The codes of the console provider's messages over `channel` to `to`, oldest first (a call reads the digits one by one). */
function consoleCodes(logs: string, channel: string, to: string): string[] {
  const escaped = to.replace(/[+.]/g, '\\$&');
  const pattern = new RegExp(`otp ${channel} to ${escaped}:[^"]*?(?<!\\d)(?<!\\d, )(\\d{6}|\\d(?:, \\d){5})(?![\\d,])`, 'g');
  return [...logs.matchAll(pattern)].map((match) => match[1]!.replace(/, /g, ''));
}

/** Fills one scheme of the open Authorize dialog and closes it. */
async function authorize(page: Page, scheme: string, value: string): Promise<void> {
  const form = page.locator('.modal-ux form').filter({ hasText: `${scheme} (http, Bearer)` });
  // persistAuthorization keeps an earlier page's value: log that out first.
  const logout = form.locator('button', { hasText: 'Logout' });
  if (await logout.count()) await logout.click();
  await form.locator('input').fill(value);
  await form.locator('button.authorize').click();
  await form.locator('button.btn-done').click();
}

/** "Try it out" then "Execute" on a route, with the body Swagger UI offers (optionally edited); returns what it showed. */
async function execute(
  page: Page,
  method: string,
  path: string,
  edit?: (example: Record<string, unknown>) => Record<string, unknown>,
): Promise<{ status: string; body: string; sent: string }> {
  const operation: Locator = page.locator(`.opblock-${method}`).filter({ has: page.locator(`[data-path="${path}"]`) });
  await operation.locator('.opblock-summary').click();
  await operation.locator('button.try-out__btn').click();
  const textarea = operation.locator('textarea.body-param__text');
  let sent = '';
  if (await textarea.count()) {
    sent = await textarea.inputValue();
    if (edit) {
      sent = JSON.stringify(edit(JSON.parse(sent) as Record<string, unknown>));
      await textarea.fill(sent);
    }
  }
  await operation.locator('button.execute').click();
  const status = operation.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor({ timeout: 15_000 });
  const body = await operation.locator('.live-responses-table .response-col_description pre').first().innerText();
  return { status: (await status.innerText()).trim(), body, sent };
}
