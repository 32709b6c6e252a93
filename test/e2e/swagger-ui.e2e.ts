import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium } from 'playwright-core';
import { emailSignIn } from '../support/flows.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { ROOT, Stack } from '../support/stack.js';

/** Debian's chromium package; the test never downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');

describe('Swagger UI in headless Chromium', () => {
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
    const { projectId } = stack.createProject('Swagger Demo');
    const loginId = 'swagger-user@example.com';
    // A sign-up creates its user at the verify: sign up fully, then sign in through the UI.
    assert.equal((await emailSignIn(stack, sink, projectId, 'signup', loginId)).verified.status, 200);

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
});
