import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bullmq';
import type { TestingModule } from '@nestjs/testing';
import type { Queue } from 'bullmq';
import { startOtpApp } from '../../../test/support/otp-app.js';
import type { DbKind } from '../../../test/support/stack.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { ERRORS } from '../../common/errors/error-codes.js';
import { DeliveryQueueService } from '../../delivery/delivery-queue.service.js';
import { type DeliveryJobData, type SealedPayload } from '../../delivery/delivery.types.js';
import { DELIVERY_QUEUE } from '../../queue/queue-names.js';
import { type Project, ProjectsService } from '../../projects/projects.service.js';
import { UsersService } from '../../users/users.service.js';
import { SessionsService } from '../sessions.service.js';
import { AddressUpdateUseCase } from './address-update.use-case.js';
import { SignInUseCase } from './sign-in.use-case.js';
import { SignUpOrInUseCase } from './sign-up-or-in.use-case.js';
import { SignUpUseCase } from './sign-up.use-case.js';
import { VerifyOtpUseCase } from './verify.use-case.js';

const CLIENT = { ip: '198.51.100.7', userAgent: 'use-case-spec', requestId: 'spec' };
const OTHER_CLIENT = { ip: '203.0.113.9', userAgent: 'use-case-spec', requestId: 'spec' };
const SEND = { ip: CLIENT.ip, requestId: 'spec' };

const failsWith = (kind: string) => (error: unknown) => error instanceof DomainError && error.kind === kind;

/**
 * The OTP use cases wired by Nest as the API wires them, against real Redis, a real database and a
 * real BullMQ queue; nothing consumes the queue: the jobs it holds are what would be delivered.
 */
for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`OTP use cases in process on ${db}`, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    let app: TestingModule;
    let queue: Queue<DeliveryJobData>;
    let jobs: DeliveryQueueService;
    let projects: ProjectsService;
    let users: UsersService;
    let verify: VerifyOtpUseCase;

    before(async () => {
      app = await startOtpApp(db, cleanups);
      queue = app.get(getQueueToken(DELIVERY_QUEUE));
      jobs = app.get(DeliveryQueueService);
      projects = app.get(ProjectsService);
      users = app.get(UsersService);
      verify = app.get(VerifyOtpUseCase);
    });

    after(async () => {
      await app?.close();
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    const newProject = async (settings: Record<string, string> = {}): Promise<Project> => {
      const { project } = await projects.create('use-case-spec');
      return Object.keys(settings).length ? projects.updateSettings(project.id, settings) : project;
    };

    /** The jobs queued for `to` in the project, oldest first, with their sealed payload opened. */
    const queuedFor = async (project: Project, to: string): Promise<{ data: DeliveryJobData; payload: SealedPayload }[]> => {
      const all = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
      return all
        .filter((job) => job.data.projectId === project.id)
        .sort((a, b) => a.timestamp - b.timestamp)
        .map((job) => ({ data: job.data, payload: jobs.open(job.data) }))
        .filter((job) => job.payload.to === to);
    };

    /** The code the one job queued for `to` carries. */
    const codeFor = async (project: Project, to: string): Promise<string> => {
      const queued = await queuedFor(project, to);
      assert.equal(queued.length, 1, `one job for ${to}`);
      assert.equal(queued[0]!.payload.type, 'otp');
      return queued[0]!.payload.code!;
    };

    const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000');

    it('sign-up-or-in queues the code before it answers, creates nothing until the verify, and the verify creates the user', async () => {
      const project = await newProject();
      const email = 'new.user@example.com';
      const answer = await app.get(SignUpOrInUseCase).send(project, 'email', 'New.User@Example.com', SEND);
      assert.deepEqual(answer, { maskedEmail: 'n***@example.com' });
      const code = await codeFor(project, email);
      assert.equal(await users.findByLoginId(project.id, email), null, 'no user before the verify');

      const session = await verify.verify(project, 'email', email, code, CLIENT);
      assert.equal(session.firstSeen, true);
      assert.deepEqual(session.claims.amr, ['email']);
      const record = await users.findByLoginId(project.id, email);
      assert.ok(record, 'the verify created the user');
      assert.equal(record.user.email, email);
      assert.equal(record.user.verifiedEmail, true);
      assert.equal(session.user.userId, record.user.id);
      await assert.rejects(verify.verify(project, 'email', email, code, CLIENT), failsWith('WRONG_CODE'), 'a code verifies once');
    });

    it('counts wrong codes against the challenge: five answer WRONG_CODE, the sixth the lockout code even when right', async () => {
      const project = await newProject();
      const email = 'locked@example.com';
      await app.get(SignUpOrInUseCase).send(project, 'email', email, SEND);
      const code = await codeFor(project, email);
      for (let i = 0; i < 5; i++) await assert.rejects(verify.verify(project, 'email', email, wrongCode(code), CLIENT), failsWith('WRONG_CODE'));
      await assert.rejects(verify.verify(project, 'email', email, code, CLIENT), (error: unknown) => {
        assert.ok(error instanceof DomainError);
        assert.equal(error.kind, 'TOO_MANY_ATTEMPTS');
        assert.equal(ERRORS[error.kind].code, 'E061103');
        return true;
      });
      assert.equal(await users.findByLoginId(project.id, email), null, 'a locked sign-up creates nothing');
    });

    it('gives each client its own wrong-code budget for a login ID: one client spent it, another still verifies', async () => {
      const project = await newProject({ loginIdIpWrongAttemptLimit: '3' });
      const email = 'budget@example.com';
      await app.get(SignUpOrInUseCase).send(project, 'email', email, SEND);
      const code = await codeFor(project, email);
      for (let i = 0; i < 3; i++) await assert.rejects(verify.verify(project, 'email', email, wrongCode(code), CLIENT), failsWith('WRONG_CODE'));
      await assert.rejects(verify.verify(project, 'email', email, code, CLIENT), failsWith('RATE_LIMITED'), 'this client spent its budget');
      const session = await verify.verify(project, 'email', email, code, OTHER_CLIENT);
      assert.equal(session.user.email, email);
    });

    it('update email: the code goes to the new address, its verify changes the address and tells the old one', async () => {
      const project = await newProject();
      const old = 'before@example.com';
      const changed = 'after@example.com';
      await app.get(SignUpUseCase).send(project, 'email', old, { name: 'Ada' }, SEND);
      const signedUp = await verify.verify(project, 'email', old, await codeFor(project, old), CLIENT);
      const auth = await app.get(SessionsService).authenticate(project, signedUp.refreshJwt);

      const answer = await app.get(AddressUpdateUseCase).updateEmail(project, auth, old, changed, SEND);
      assert.deepEqual(answer, { maskedEmail: 'a***@example.com' });
      assert.equal((await users.findById(project.id, auth.record.user.id))?.user.email, old, 'nothing changes before the verify');

      const session = await verify.verify(project, 'email', old, await codeFor(project, changed), CLIENT);
      assert.equal(session.user.email, changed);
      const record = await users.findById(project.id, auth.record.user.id);
      assert.equal(record?.user.email, changed);
      assert.deepEqual(record?.loginIds, [changed]);
      const notices = (await queuedFor(project, old)).filter((job) => job.data.type === 'notice');
      assert.equal(notices.length, 1, 'the old address is told');
      assert.equal(notices[0]!.payload.newAddress, 'a***@example.com');
    });

    it('anti-enumeration: a user who cannot get a code over the channel gets a decoy whose code never verifies', async () => {
      // The decoy's recipient is the e-mail address the sign-up code went to moments ago.
      const project = await newProject({ antiEnumeration: 'true', recipientCooldownSeconds: '0' });
      const email = 'no.phone@example.com';
      await app.get(SignUpOrInUseCase).send(project, 'email', email, SEND);
      await verify.verify(project, 'email', email, await codeFor(project, email), CLIENT);

      const answer = await app.get(SignInUseCase).send(project, 'sms', email, SEND);
      assert.deepEqual(answer, { maskedPhone: '***' }, 'the answer says nothing of the user');
      const [decoy, ...more] = (await queuedFor(project, email)).filter((job) => job.data.channel === 'sms');
      assert.equal(more.length, 0);
      assert.equal(decoy!.data.type, 'otp', 'in the queue a decoy looks like a code');
      assert.equal(decoy!.payload.type, 'none');
      await assert.rejects(verify.verify(project, 'sms', email, decoy!.payload.code!, CLIENT), failsWith('WRONG_CODE'));
    });

    it('sign-up-or-in whose user appeared meanwhile with that very address signs that user in; with another address it answers USER_EXISTS', async () => {
      const project = await newProject();
      const email = 'meanwhile@example.com';
      await app.get(SignUpOrInUseCase).send(project, 'email', email, SEND);
      const code = await codeFor(project, email);
      // Created between the send and the verify (by an operator, or a verify of another client's code).
      const created = await users.createVerified(project.id, email, {}, 'email', email);
      const session = await verify.verify(project, 'email', email, code, CLIENT);
      assert.equal(session.user.userId, created.user.id, 'the existing user is signed in');

      const other = 'elsewhere@example.com';
      await app.get(SignUpOrInUseCase).send(project, 'email', other, SEND);
      const otherCode = await codeFor(project, other);
      await users.createVerified(project.id, other, {}, 'email', 'another.address@example.com');
      await assert.rejects(verify.verify(project, 'email', other, otherCode, CLIENT), failsWith('USER_EXISTS'));
    });
  });
}
