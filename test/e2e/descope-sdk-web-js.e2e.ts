import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import createCoreSdk from '@descope/core-js-sdk';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { SmtpSink } from '../support/smtp-sink.js';
import { type DbKind, ROOT, Stack } from '../support/stack.js';
import { skipUnless } from '../support/tools.js';

/** Debian's chromium package; the test never downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';
const noChromium = skipUnless(CHROMIUM, 'apt-get install chromium');
/** The SDK's own browser bundle, exactly as npm ships it (it carries core-js, js-cookie and jwt-decode). */
const BUNDLE = readFileSync(join(ROOT, 'node_modules/@descope/web-js-sdk/dist/index.umd.js'));

/**
 * The smallest web app: it loads the web-js bundle, creates the SDK with the project and base URL of
 * its query string (tokens persisted, as an app does), and records what the SDK's listeners report.
 * The test drives the SDK through `app.call('otp.signUp.email', [...])` and reads `app.events` and
 * `app.storage()`.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>web-js</title><script src="/web-js.umd.js"></script></head>
<body><script>
  const params = new URLSearchParams(location.search);
  const sdk = Descope({ projectId: params.get('projectId'), baseUrl: params.get('baseUrl'), persistTokens: true });
  const events = { session: [], claims: [], user: [] };
  sdk.onSessionTokenChange((token) => events.session.push(token));
  sdk.onClaimsChange((claims) => events.claims.push(claims));
  sdk.onUserChange((user) => events.user.push(user));
  window.app = {
    events,
    async call(path, args) {
      let owner = sdk;
      const keys = path.split('.');
      for (const key of keys.slice(0, -1)) owner = owner[key];
      return JSON.parse(JSON.stringify(await owner[keys.at(-1)](...args)));
    },
    storage: () => Object.fromEntries(Object.keys(localStorage).map((key) => [key, localStorage.getItem(key)])),
  };
</script></body></html>`;

interface Events {
  session: (string | null)[];
  claims: (Record<string, unknown> | null)[];
  user: (Record<string, unknown> | null)[];
}

interface PageApp {
  events: Events;
  call(path: string, args: unknown[]): Promise<{ ok: boolean; code?: number; data?: any; error?: any }>;
  storage(): Record<string, string>;
}

/** The page's globals; the functions passed to page.evaluate run in the page, so they reach `app` through this type. */
type PageGlobals = typeof globalThis & { app?: PageApp };

/** Serves PAGE and the bundle on a loopback port of its own: another origin than the API's. */
async function serveApp(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/web-js.umd.js')) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(BUNDLE);
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

let browser: BrowserContext;
let profile: string;

before(async () => {
  if (noChromium) return;
  profile = mkdtempSync(join(tmpdir(), 'otp-web-js-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/**
 * `@descope/web-js-sdk`, unmodified, in headless Chromium: a page of another origin (allowed by the
 * project's `corsOrigins`) loads its browser bundle and talks to the server as a web app does, with
 * the session kept in `localStorage`.
 */
for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`@descope/web-js-sdk in Chromium against the server on ${db}`, { skip: noChromium }, () => {
    let stack: Stack;
    let sink: SmtpSink;
    let site: { server: Server; origin: string };
    let projectId: string;
    let managementKey: string;
    let page: Page;
    /** Paths the page requested from the API, in order. */
    const apiCalls: string[] = [];

    before(async () => {
      sink = await new SmtpSink().start();
      site = await serveApp();
      stack = await Stack.start({ db, env: { EMAIL_PROVIDER: 'smtp', SMTP_URL: sink.url, EMAIL_FROM: 'OTP <otp@test.local>' } });
      ({ projectId, managementKey } = await stack.createProject('web-js', { corsOrigins: site.origin }));
      page = await browser.newPage();
      page.on('request', (request) => {
        if (request.url().startsWith(stack.baseUrl) && request.method() !== 'OPTIONS') apiCalls.push(new URL(request.url()).pathname);
      });
      await open();
    });
    after(async () => {
      await page?.close();
      await stack?.stop();
      await sink?.stop();
      // Chromium keeps its connections to the page's server open; close() alone would wait for them.
      site?.server.closeAllConnections();
      await new Promise((resolve) => site?.server.close(resolve));
    });

    /** (Re)loads the app: a new SDK instance over the same localStorage, as after a page reload. */
    async function open(): Promise<void> {
      await page.goto(`${site.origin}/?projectId=${projectId}&baseUrl=${encodeURIComponent(stack.baseUrl)}`);
      await page.waitForFunction(() => Boolean((globalThis as PageGlobals).app));
    }
    const call = (path: string, ...args: unknown[]) => page.evaluate(([p, a]) => (globalThis as PageGlobals).app!.call(p, a), [path, args] as const);
    const events = () => page.evaluate(() => (globalThis as PageGlobals).app!.events);
    const storage = () => page.evaluate(() => (globalThis as PageGlobals).app!.storage());

    async function signIn(loginId: string) {
      const n = sink.to(loginId).length;
      const sent = await call('otp.signUpOrIn.email', loginId);
      assert.ok(sent.ok, JSON.stringify(sent.error));
      const verified = await call('otp.verify.email', loginId, await sink.codeFor(loginId, n + 1));
      assert.ok(verified.ok, JSON.stringify(verified.error));
      return verified.data as { sessionJwt: string; refreshJwt: string; claims: Record<string, unknown>; user: { userId: string } };
    }

    it('keeps the session in localStorage after a verify and fires onSessionTokenChange, onClaimsChange and onUserChange', async () => {
      const loginId = 'web-ada@example.com';
      const sent = await call('otp.signUp.email', loginId, { name: 'Ada' });
      assert.ok(sent.ok, JSON.stringify(sent.error));
      assert.deepEqual(sent.data, { maskedEmail: 'w***@example.com' });
      const verified = await call('otp.verify.email', loginId, await sink.codeFor(loginId));
      assert.ok(verified.ok, JSON.stringify(verified.error));
      const { sessionJwt, refreshJwt, claims, user } = verified.data;

      const stored = await storage();
      assert.equal(stored.DS, sessionJwt, 'the session JWT is in localStorage');
      assert.equal(stored.DSR, refreshJwt, 'the refresh JWT is in localStorage');
      const seen = await events();
      assert.equal(seen.session.at(-1), sessionJwt, 'onSessionTokenChange fired with the session JWT');
      assert.deepEqual(seen.claims.at(-1), claims, 'onClaimsChange fired with the claims');
      assert.equal(seen.claims.at(-1)?.sub, user.userId);
      assert.deepEqual(seen.claims.at(-1)?.amr, ['email']);
      assert.equal(seen.user.at(-1)?.userId, user.userId, 'onUserChange fired with the user');
      assert.equal(seen.user.at(-1)?.TOTP, false);
    });

    it('refreshes from storage, restores the session after a reload with try-refresh, and reads me and me/history', async () => {
      const before = await storage();
      const refreshed = await call('refresh');
      assert.ok(refreshed.ok, JSON.stringify(refreshed.error));
      assert.notEqual(refreshed.data.refreshJwt, before.DSR, 'the refresh JWT rotated');
      assert.equal((await storage()).DSR, refreshed.data.refreshJwt, 'and the new one is stored');
      assert.equal((await events()).session.at(-1), refreshed.data.sessionJwt);

      await open();
      assert.deepEqual((await events()).session, [], 'a fresh SDK instance');
      const calls = apiCalls.length;
      const restored = await call('refresh', undefined, true);
      assert.ok(restored.ok, JSON.stringify(restored.error));
      assert.deepEqual(apiCalls.slice(calls), ['/v1/auth/try-refresh'], 'web-js called try-refresh with the stored refresh JWT');
      assert.ok(restored.data.sessionJwt, JSON.stringify(restored.data));
      const seen = await events();
      assert.equal(seen.session.at(-1), restored.data.sessionJwt, 'onSessionTokenChange fired on the restored session');
      assert.equal(seen.claims.at(-1)?.sub, restored.data.user.userId, 'onClaimsChange fired on the restored session');
      assert.equal((await storage()).DS, restored.data.sessionJwt);

      const me = await call('me');
      assert.ok(me.ok, JSON.stringify(me.error));
      assert.equal(me.data.userId, restored.data.user.userId);
      assert.deepEqual(me.data.loginIds, ['web-ada@example.com']);
      const history = await call('history');
      assert.ok(history.ok, JSON.stringify(history.error));
      assert.equal(history.data.length, 1);
      assert.equal(history.data[0].userId, me.data.userId);
    });

    it('clears the stored session and tells the listeners when the server refuses it', async () => {
      const { user } = await signIn('web-revoked@example.com');
      assert.ok((await storage()).DSR);
      const revoked = await stack.request('POST', '/v1/mgmt/user/logout', { bearer: `${projectId}:${managementKey}`, body: { userId: user.userId } });
      assert.equal(revoked.status, 200, revoked.text);

      const refused = await call('me');
      assert.equal(refused.ok, false);
      assert.equal(refused.code, 401);
      assert.equal(refused.error.errorCode, 'E062402');
      const stored = await storage();
      assert.equal(stored.DS, undefined, 'the session JWT is gone from localStorage');
      assert.equal(stored.DSR, undefined, 'the refresh JWT is gone from localStorage');
      const seen = await events();
      assert.equal(seen.session.at(-1), null, 'onSessionTokenChange fired with null');
      assert.equal(seen.claims.at(-1), null, 'onClaimsChange fired with null');
    });

    it('logs out, and logs out every session of the user', async () => {
      const loginId = 'web-grace@example.com';
      await signIn(loginId);
      assert.ok((await call('logout')).ok);
      assert.equal((await storage()).DSR, undefined, 'logout clears the stored session');
      assert.equal((await events()).session.at(-1), null);

      // Another device of the same user, signed in through core-js from Node.
      const elsewhere = createCoreSdk({ projectId, baseUrl: stack.baseUrl });
      const n = sink.to(loginId).length;
      assert.ok((await elsewhere.otp.signIn.email(loginId)).ok);
      const other = await elsewhere.otp.verify.email(loginId, await sink.codeFor(loginId, n + 1));
      assert.ok(other.ok, JSON.stringify(other.error));
      assert.ok((await elsewhere.me(other.data!.refreshJwt)).ok);

      await signIn(loginId);
      assert.ok((await call('logoutAll')).ok);
      assert.equal((await storage()).DSR, undefined);
      assert.equal((await elsewhere.me(other.data!.refreshJwt)).code, 401, "logoutAll ended the other device's session too");
    });
  });
}
