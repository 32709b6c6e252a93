import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { JwtService } from '@nestjs/jwt';
import { decodeProtectedHeader, exportJWK, importJWK, jwtVerify } from 'jose';
import { cpuSeconds } from '../../test/support/process.js';
import { signRs256 } from './jwt-signer.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** CPU time of this process's main thread alone, in ms (clock ticks of 10 ms). */
const mainThreadCpuMs = (): number => Math.round(cpuSeconds(process.pid, process.pid) * 1000);

describe('signRs256', () => {
  it('makes the token @nestjs/jwt makes, which jose verifies with the JWKS entry', async () => {
    const payload = { iss: 'P1', sub: 'U1', amr: ['email'], roles: [], tenants: { T1: { roles: ['r'] } }, nsec: { plan: 'pro ✓' }, iat: 1_795_000_000, drn: 'DS', exp: 1_795_000_600 };
    const token = await signRs256(payload, privateKey, 'K1');
    assert.equal(token, new JwtService().sign(payload, { privateKey: privateKey as never, algorithm: 'RS256', keyid: 'K1' }));
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', typ: 'JWT', kid: 'K1' });
    const jwk = { ...(await exportJWK(publicKey)), alg: 'RS256', kid: 'K1', use: 'sig' };
    const { payload: verified } = await jwtVerify(token, await importJWK(jwk), { currentDate: new Date(1_795_000_100_000) });
    assert.deepEqual(verified, payload);
  });

  it('signs off the event loop: of 1,000 signatures, the main thread spends less than half the CPU it spends signing them itself', async () => {
    const input = Buffer.from('x'.repeat(300));
    const before = mainThreadCpuMs();
    for (let i = 0; i < 1000; i++) sign('sha256', input, privateKey);
    const onLoop = mainThreadCpuMs() - before;

    const start = mainThreadCpuMs();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => signRs256({ i }, privateKey, 'K1')));
    const offLoop = mainThreadCpuMs() - start;
    assert.ok(offLoop < onLoop / 2, `main thread: ${offLoop} ms of CPU for 1,000 signatures in the pool, ${onLoop} ms signing them itself`);
  });
});
