import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { withCpuLock } from '../support/cpu-lock.js';
import { FakeTwilio } from '../support/fake-twilio.js';
import { type MailAndPhoneStack, startMailAndPhoneStack } from '../support/mail-and-phone.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { type ApiResponse, type DbKind, sleep, Stack } from '../support/stack.js';

/** A client of its own: a POST whose connection leaves from `localAddress` (127.0.0.1 or 127.0.0.2). */
function postFrom(localAddress: string, baseUrl: string, path: string, body: unknown, bearer: string): Promise<ApiResponse> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      { method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers.set(name, value);
          resolve({ status: res.statusCode!, headers, body: parsed, text });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function answer(response: ApiResponse): string {
  return `${response.status} ${response.body?.errorCode ?? ''} ${response.body?.errorCode ? response.body.errorMessage : response.text}`;
}

/** Issue 11, points 2, 3, 6 and 7: lockout, enumeration, the message budget and canonical recipients. */
for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`security limits (${db})`, () => {
    let stack: Stack;
    let sink: SmtpSink;
    let twilio: FakeTwilio;
    let world: MailAndPhoneStack;

    before(async () => {
      world = await startMailAndPhoneStack(db);
      ({ stack, sink, twilio } = world);
    });
    after(() => world?.stop());

    const createUser = async (bearer: string, user: Record<string, unknown>) => {
      const created = await stack.post('/v1/mgmt/user/create', user, bearer);
      assert.equal(created.status, 200, created.text);
    };

    it('point 3: with antiEnumeration, known, unknown, disabled and wrong-kind login IDs answer alike, now and at later verifies', async () => {
      const { projectId, managementKey } = await stack.createProject('Quiet', { antiEnumeration: true });
      const bearer = `${projectId}:${managementKey}`;
      await createUser(bearer, { loginId: 'kate@example.com', email: 'kate@example.com', verifiedEmail: true });
      await createUser(bearer, { loginId: 'kira@example.com', email: 'kira@example.com', verifiedEmail: true });
      await createUser(bearer, { loginId: '+34612340001', phone: '+34612340001', verifiedPhone: true });
      assert.equal((await stack.post('/v1/mgmt/user/update/status', { loginId: 'kira@example.com', status: 'disabled' }, bearer)).status, 200);

      // Each group: login IDs that must be indistinguishable on that route (same mask by construction).
      const groups: { route: string; loginIds: string[]; expected: unknown }[] = [
        // known, unknown, disabled
        { route: 'signin/email', loginIds: ['kate@example.com', 'kurt@example.com', 'kira@example.com'], expected: { maskedEmail: 'k***@example.com' } },
        // a phone-only user's login ID over e-mail, and an unknown number
        { route: 'signin/email', loginIds: ['+34612340001', '+34612350001'], expected: { maskedEmail: '***' } },
        // an e-mail-only user over SMS, and an unknown e-mail address
        { route: 'signin/sms', loginIds: ['kate@example.com', 'kurt@example.com'], expected: { maskedPhone: '***' } },
        // a known number and an unknown one over SMS
        { route: 'signin/sms', loginIds: ['+34612340001', '+34612350001'], expected: { maskedPhone: '+*******0001' } },
        // sign-up of an existing login ID and of a new one
        { route: 'signup/email', loginIds: ['kate@example.com', 'kent@example.com'], expected: { maskedEmail: 'k***@example.com' } },
      ];
      for (const { route, loginIds, expected } of groups) {
        const channel = route.split('/')[1]!;
        const transcripts: string[] = [];
        for (const loginId of loginIds) {
          const sent = await stack.post(`/v1/auth/otp/${route}`, { loginId }, projectId);
          assert.equal(sent.status, 200, `${route} ${loginId}: ${sent.text}`);
          assert.deepEqual(sent.body, expected, `${route} ${loginId}`);
          const lines = [answer(sent)];
          for (let i = 0; i < 6; i++) lines.push(answer(await stack.post(`/v1/auth/otp/verify/${channel}`, { loginId, code: '000000' }, projectId)));
          transcripts.push(lines.join('\n'));
        }
        for (const [i, transcript] of transcripts.entries()) assert.equal(transcript, transcripts[0], `${route}: ${loginIds[i]} answers unlike ${loginIds[0]}`);
        assert.match(transcripts[0]!, /(401 E061102 .*\n){5}429 E061103 /, `${route}: five wrong codes, then the code is dead`);
      }
      await sleep(500);
      for (const nobody of ['kurt@example.com', 'kira@example.com', 'kent@example.com']) assert.equal(sink.to(nobody).length, nobody === 'kent@example.com' ? 1 : 0, nobody);
      assert.equal(twilio.delivered('+34612350001').length, 0);
    });

    it('point 6: when the budget for new recipients is spent, a user with a verified address still signs in', async () => {
      const { projectId } = await stack.createProject(
        'Budget',
        { messageBudgetEmail: 3, recipientCooldownSeconds: 0, ipSendLimit: 1000 },
        { productionLimits: true },
      );
      const owner = 'olga@example.com';
      assert.equal((await stack.post('/v1/auth/otp/signup-in/email', { loginId: owner }, projectId)).status, 200);
      const first = await stack.post('/v1/auth/otp/verify/email', { loginId: owner, code: await sink.codeFor(owner) }, projectId);
      assert.equal(first.status, 200, first.text);

      // A stranger spends the budget on new addresses; sends to new addresses stay refused.
      let refused: ApiResponse | undefined;
      for (let i = 0; i < 5 && !refused; i++) {
        const sent = await stack.post('/v1/auth/otp/signup-in/email', { loginId: `new-${i}@example.com` }, projectId);
        if (sent.status === 429) refused = sent;
        else assert.equal(sent.status, 200, sent.text);
      }
      assert.ok(refused, 'the budget refuses new recipients');
      assert.equal(refused.body.errorCode, 'E130429');
      assert.match(refused.body.errorMessage, /budget/);
      assert.equal((await stack.post('/v1/auth/otp/signup/email', { loginId: 'newer@example.com' }, projectId)).status, 429, 'sign-up too');

      for (const route of ['signin', 'signup-in']) {
        const before = sink.to(owner).length;
        const sent = await stack.post(`/v1/auth/otp/${route}/email`, { loginId: owner }, projectId);
        assert.equal(sent.status, 200, `${route} of a verified user while the budget is spent: ${sent.text}`);
        const verified = await stack.post('/v1/auth/otp/verify/email', { loginId: owner, code: await sink.codeFor(owner, before + 1) }, projectId);
        assert.equal(verified.status, 200, verified.text);
      }
    });

    it('point 3: with antiEnumeration, sign-in and sign-up take the same time for known, unknown, disabled and wrong-kind login IDs (medians of 250 each within 10 %)', async () => {
      const { projectId, managementKey } = await stack.createProject('Quiet timing', { antiEnumeration: true });
      const bearer = `${projectId}:${managementKey}`;
      await createUser(bearer, { loginId: 'tom@example.com', email: 'tom@example.com', verifiedEmail: true });
      await createUser(bearer, { loginId: 'tia@example.com', email: 'tia@example.com', verifiedEmail: true });
      await createUser(bearer, { loginId: '+34612360001', phone: '+34612360001', verifiedPhone: true });
      assert.equal((await stack.post('/v1/mgmt/user/update/status', { loginId: 'tia@example.com', status: 'disabled' }, bearer)).status, 200);
      // Login IDs of one shape must take one time on one route, whoever they belong to: sign-in of an
      // e-mail address (known, unknown, disabled) and of a phone number over e-mail (a phone-only
      // user's, an unknown one); sign-up of an existing login ID and of a new one.
      const signin = '/v1/auth/otp/signin/email';
      const signup = '/v1/auth/otp/signup/email';
      const groups: Record<string, [string, string]>[] = [
        { known: [signin, 'tom@example.com'], unknown: [signin, 'ted@example.com'], disabled: [signin, 'tia@example.com'] },
        { wrongKind: [signin, '+34612360001'], unknownNumber: [signin, '+34612369999'] },
        { signUpExisting: [signup, 'tom@example.com'], signUpNew: [signup, 'tod@example.com'] },
      ];
      const kinds: Record<string, [string, string]> = Object.assign({}, ...groups);
      const names = Object.keys(kinds);
      // The worker is stopped while the API is timed (the jobs wait in the queue): on this one
      // machine its work for a real send (an SMTP session with the sink, which lives in this very
      // process) would land on the measured requests; that is the worker's cost, not the API's answer.
      await stack.workers[0]!.stop();
      const measure = async () => {
        const timings: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
        // Interleaved, each round in a random order, so that drift in machine load falls on all
        // kinds alike.
        for (let round = 0; round < 260; round++) {
          const order = [...names].sort(() => Math.random() - 0.5);
          for (const kind of order) {
            const started = process.hrtime.bigint();
            const [route, loginId] = kinds[kind]!;
            const sent = await stack.post(route, { loginId }, projectId);
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            assert.equal(sent.status, 200, `${kind}: ${sent.text}`);
            if (round >= 10) timings[kind]!.push(ms);
          }
        }
        return Object.fromEntries(names.map((kind) => [kind, median(timings[kind]!)]));
      };
      /** Per group of kinds that must look alike: the slowest median over the fastest. */
      const spreads = (medians: Record<string, number>) =>
        groups.map((group) => {
          const values = Object.keys(group).map((kind) => medians[kind]!);
          return Math.max(...values) / Math.min(...values);
        });
      // A machine shared with other test suites can swing one run's medians by more than 10 %; a real
      // difference within a group shows in every run, so each group is judged by its best of up to
      // three runs.
      const runs: Record<string, number>[] = [];
      const best = () => groups.map((_, g) => Math.min(...runs.map((medians) => spreads(medians)[g]!)));
      try {
        // Not beside the bench smoke run, which takes both cores for a minute.
        await withCpuLock(async () => {
          do {
            runs.push(await measure());
            const shown = Object.fromEntries(Object.entries(runs.at(-1)!).map(([k, v]) => [k, v.toFixed(2)]));
            console.log(`anti-enumeration medians (${db}, ms), run ${runs.length}: ${JSON.stringify(shown)}`);
          } while (runs.length < 3 && best().some((spread) => spread > 1.1));
        });
      } finally {
        // The measured sends' jobs are dropped rather than left to the restarted worker.
        const queue = new Queue('delivery', { connection: { url: stack.env.REDIS_URL }, prefix: '{otpq}' });
        await queue.drain(true);
        await queue.close();
        await stack.startWorker();
      }
      assert.ok(best().every((spread) => spread <= 1.1), `medians differ by more than 10 % within a group in every run: ${JSON.stringify(runs)}`);
    });
  });
}

describe('security limits (Redis only)', () => {
  let stack: Stack;
  let sink: SmtpSink;
  let world: MailAndPhoneStack;
  /** A second API process that takes the client IP from X-Forwarded-For (sent by 127.0.0.1). */
  let proxied: string;

  before(async () => {
    world = await startMailAndPhoneStack('sqlite');
    ({ stack, sink } = world);
    proxied = (await stack.startExtraApi({ TRUSTED_PROXIES: '127.0.0.1' })).baseUrl;
  });
  after(() => world?.stop());

  it('point 2: with the default limits, a stranger at 127.0.0.2 who knows only the login ID keeps its owner at 127.0.0.1 out for at most 60 s', async () => {
    const { projectId, managementKey } = await stack.createProject('Lockout', {}, { productionLimits: true });
    const owner = 'owen@example.com';
    const created = await stack.post('/v1/mgmt/user/create', { loginId: owner, email: owner, verifiedEmail: true }, `${projectId}:${managementKey}`);
    assert.equal(created.status, 200, created.text);
    const attacker = (path: string, body: unknown) => postFrom('127.0.0.2', stack.baseUrl, path, body, projectId);
    const ownerPost = (path: string, body: unknown) => postFrom('127.0.0.1', stack.baseUrl, path, body, projectId);

    // Two sends and twelve wrong codes each: the attack that used to lock the owner out for an hour.
    const seen: string[] = [];
    let lastAttack = Date.now();
    for (let round = 0; round < 2; round++) {
      let sent = await attacker('/v1/auth/otp/signin/email', { loginId: owner });
      if (sent.status === 429) {
        await sleep(Number(sent.headers.get('retry-after')) * 1000 + 100);
        sent = await attacker('/v1/auth/otp/signin/email', { loginId: owner });
      }
      assert.equal(sent.status, 200, sent.text);
      for (let i = 0; i < 12; i++) seen.push(answer(await attacker('/v1/auth/otp/verify/email', { loginId: owner, code: String(100000 + i) })));
      lastAttack = Date.now();
    }
    assert.equal(seen.filter((a) => a.startsWith('401 E061102')).length, 10, `ten wrong codes compared:\n${seen.join('\n')}`);
    assert.ok(seen.every((a) => !a.startsWith('200')));

    // The owner asks for a code (after the recipient cooldown the attacker's send started) and signs
    // in. The stranger's two codes reached the owner's mailbox first; the owner's own is the third.
    await sink.waitFor(owner, 2);
    let sent = await ownerPost('/v1/auth/otp/signin/email', { loginId: owner });
    if (sent.status === 429) {
      const wait = Number(sent.headers.get('retry-after'));
      assert.ok(wait <= 30, `the owner waits out the recipient cooldown only: ${sent.text}`);
      await sleep(wait * 1000 + 100);
      sent = await ownerPost('/v1/auth/otp/signin/email', { loginId: owner });
    }
    assert.equal(sent.status, 200, sent.text);
    const code = await sink.codeFor(owner, 3);
    // The stranger keeps guessing meanwhile: refused, without touching the owner's code or budget.
    for (let i = 0; i < 5; i++) assert.notEqual((await attacker('/v1/auth/otp/verify/email', { loginId: owner, code: String(200000 + i) })).status, 200);
    const verified = await ownerPost('/v1/auth/otp/verify/email', { loginId: owner, code });
    assert.equal(verified.status, 200, `the owner signs in: ${verified.text}`);
    const lockedOut = (Date.now() - lastAttack) / 1000;
    console.log(`owner signed in ${lockedOut.toFixed(1)} s after the attack`);
    assert.ok(lockedOut <= 60, `owner kept out ${lockedOut.toFixed(1)} s`);
  });

  it('point 2: one client cannot spend a recipient\'s cap of codes: the owner still gets one', async () => {
    // The default cooldown only spaces the stranger's sends out; without it the test needs no waiting.
    const { projectId, managementKey } = await stack.createProject('Recipient cap', { recipientCooldownSeconds: 0 }, { productionLimits: true });
    const owner = 'otto@example.com';
    const created = await stack.post('/v1/mgmt/user/create', { loginId: owner, email: owner, verifiedEmail: true }, `${projectId}:${managementKey}`);
    assert.equal(created.status, 200, created.text);
    const answers: string[] = [];
    for (let i = 0; i < 8; i++) answers.push(answer(await postFrom('127.0.0.2', stack.baseUrl, '/v1/auth/otp/signin/email', { loginId: owner }, projectId)));
    assert.equal(answers.filter((a) => a.startsWith('200')).length, 4, answers.join('\n'));
    assert.match(answers.at(-1)!, /^429 E130429 Too many codes sent to this address from this client/);
    // The stranger's four codes reach the owner's mailbox first; the owner's own is the fifth.
    await sink.waitFor(owner, 4);
    const sent = await postFrom('127.0.0.1', stack.baseUrl, '/v1/auth/otp/signin/email', { loginId: owner }, projectId);
    assert.equal(sent.status, 200, `the owner gets a code: ${sent.text}`);
    const verified = await postFrom('127.0.0.1', stack.baseUrl, '/v1/auth/otp/verify/email', { loginId: owner, code: await sink.codeFor(owner, 5) }, projectId);
    assert.equal(verified.status, 200, verified.text);
  });

  it('point 2: the per-login-ID budget (40 wrong codes per hour by default) bounds the guesses of many IPs together', async () => {
    const { projectId } = await stack.createProject('Many guessers', {}, { productionLimits: true });
    const target = 'tess@example.com';
    assert.equal((await stack.post('/v1/auth/otp/signup-in/email', { loginId: target }, projectId)).status, 200);
    const code = await sink.codeFor(target);
    const counts = new Map<string, number>();
    for (let ip = 1; ip <= 12; ip++) {
      for (let i = 0; i < 6; i++) {
        let guess = String(100000 + ip * 10 + i);
        if (guess === code) guess = String(999999 - i);
        const r = await stack.request('POST', '/v1/auth/otp/verify/email', {
          baseUrl: proxied,
          bearer: projectId,
          body: { loginId: target, code: guess },
          headers: { 'x-forwarded-for': `198.51.100.${ip}` },
        });
        const key = `${r.status} ${r.body?.errorCode}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    // Each IP may compare 5 codes (then the code is dead for it); after 40 compares in all, every IP is refused.
    assert.equal(counts.get('401 E061102'), 40, JSON.stringify([...counts]));
    assert.equal(counts.get('200 undefined'), undefined);
    const refused = await stack.request('POST', '/v1/auth/otp/verify/email', {
      baseUrl: proxied,
      bearer: projectId,
      body: { loginId: target, code },
      headers: { 'x-forwarded-for': '203.0.113.50' },
    });
    assert.equal(refused.status, 429, 'a fresh IP is refused too, even with the right code');
    assert.match(refused.body.errorMessage, /for this user:/);
  });

  it('point 7: the per-recipient limits key on the canonical mailbox and on the E.164 number', async () => {
    const { projectId } = await stack.createProject('Canonical', { ipSendLimit: 1000 }, { productionLimits: true });
    const send = (channel: string, loginId: string) => stack.post(`/v1/auth/otp/signup-in/${channel}`, { loginId }, projectId);
    assert.equal((await send('email', 'victim@example.com')).status, 200);
    for (const variant of ['victim+1@example.com', 'victim+2@example.com', 'Victim+3@Example.com']) {
      const r = await send('email', variant);
      assert.equal(r.status, 429, `${variant} shares the cooldown of victim@example.com: ${r.text}`);
      assert.equal(r.body.errorCode, 'E130429');
    }
    assert.equal((await send('email', 'jane.doe@gmail.com')).status, 200);
    for (const variant of ['janedoe@gmail.com', 'J.a.n.e.D.o.e+x@googlemail.com']) assert.equal((await send('email', variant)).status, 429, variant);
    assert.equal((await send('email', 'jane.doe@example.org')).status, 200, 'dots count elsewhere');
    assert.equal((await send('sms', '+34 612 37 00 01')).status, 200);
    assert.equal((await send('sms', '+34612370001')).status, 429, 'one number, however it is written');
    await sleep(500);
    assert.equal(sink.to('victim@example.com').length + sink.to('victim+1@example.com').length + sink.to('victim+3@example.com').length, 1);
  });
});
