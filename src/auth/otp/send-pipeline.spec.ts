import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getQueueToken } from '@nestjs/bullmq';
import type { TestingModule } from '@nestjs/testing';
import type { Job, Queue } from 'bullmq';
import { DataSource, type QueryRunner } from 'typeorm';
import { startOtpApp } from '../../../test/support/otp-app.js';
import type { DbKind } from '../../../test/support/stack.js';
import { DeliveryQueueService } from '../../delivery/delivery-queue.service.js';
import { DeliveryRecordsService, type DeliveryView } from '../../delivery/delivery-records.service.js';
import type { DeliveryJobData } from '../../delivery/delivery.types.js';
import { ProjectsService } from '../../projects/projects.service.js';
import { DELIVERY_QUEUE } from '../../queue/queue-names.js';
import { SignInUseCase } from './sign-in.use-case.js';
import { SignUpOrInUseCase } from './sign-up-or-in.use-case.js';
import { VerifyOtpUseCase } from './verify.use-case.js';

const CLIENT = { ip: '198.51.100.7', userAgent: 'send-pipeline-spec', requestId: 'spec' };
const SEND = { ip: CLIENT.ip, requestId: 'spec' };

/**
 * What a send costs the database, wired as the API wires it (real Redis, database and BullMQ
 * queue, no worker): every statement the process sends through TypeORM is counted.
 */
for (const db of ['postgres', 'sqlite'] as DbKind[]) {
  describe(`a send on ${db}`, () => {
    const cleanups: (() => Promise<void> | void)[] = [];
    let app: TestingModule;
    let queue: Queue<DeliveryJobData>;
    const statements: string[] = [];

    before(async () => {
      app = await startOtpApp(db, cleanups);
      queue = app.get(getQueueToken(DELIVERY_QUEUE));
      // Every query, of repositories and raw statements alike, runs on a runner the driver makes.
      const { driver } = app.get(DataSource);
      const createQueryRunner = driver.createQueryRunner.bind(driver);
      // SQLite's driver hands out one runner again and again.
      const counting = new WeakSet<QueryRunner>();
      driver.createQueryRunner = (mode) => {
        const runner: QueryRunner = createQueryRunner(mode);
        if (counting.has(runner)) return runner;
        counting.add(runner);
        const query = runner.query.bind(runner);
        runner.query = ((sql: string, ...rest: unknown[]) => {
          statements.push(sql);
          return (query as (...args: unknown[]) => Promise<unknown>)(sql, ...rest);
        }) as QueryRunner['query'];
        return runner;
      };
    });

    after(async () => {
      await app?.close();
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    /** The statements `action` sends to the database. */
    const counted = async (action: () => Promise<unknown>): Promise<string[]> => {
      const from = statements.length;
      await action();
      return statements.slice(from);
    };
    const writes = (sent: string[]) => sent.filter((sql) => !/^\s*SELECT\b/i.test(sql));

    const jobOf = async (projectId: string, to: string): Promise<Job<DeliveryJobData>> => {
      const jobs = (await queue.getJobs(['waiting'])).filter((job) => job.data.projectId === projectId && app.get(DeliveryQueueService).open(job.data).to === to);
      assert.equal(jobs.length, 1, `one job for ${to}`);
      return jobs[0]!;
    };

    it('writes nothing: a sign-in of a known user reads the user, a sign-up-or-in of a new address likewise; the queued delivery reads from the queue', async () => {
      const projects = app.get(ProjectsService);
      const project = await projects.updateSettings((await projects.create('send-pipeline-spec')).project.id, { recipientCooldownSeconds: '0' });
      const known = 'known@example.com';
      await app.get(SignUpOrInUseCase).send(project, 'email', known, SEND);
      const first = await jobOf(project.id, known);
      await app.get(VerifyOtpUseCase).verify(project, 'email', known, app.get(DeliveryQueueService).open(first.data).code!, CLIENT);
      await first.remove();

      const signIn = await counted(() => app.get(SignInUseCase).send(project, 'email', known, SEND));
      assert.deepEqual(writes(signIn), [], 'a sign-in writes nothing');
      assert.ok(signIn.length <= 1, `a sign-in sends at most one statement: ${signIn.join('; ')}`);
      const signUp = await counted(() => app.get(SignUpOrInUseCase).send(project, 'email', 'fresh@example.com', SEND));
      assert.deepEqual(writes(signUp), [], 'a sign-up-or-in writes nothing');
      assert.ok(signUp.length <= 1, `a sign-up-or-in sends at most one statement: ${signUp.join('; ')}`);

      const records = app.get(DeliveryRecordsService);
      const job = await jobOf(project.id, known);
      const expected: DeliveryView = {
        deliveryId: job.data.deliveryId!,
        challengeId: job.id!,
        projectId: project.id,
        loginId: known,
        channel: 'email',
        step: 0,
        recipient: 'k***@example.com',
        provider: null,
        state: 'queued',
        attempts: 0,
        providerMessageId: null,
        providerError: null,
        requestId: 'spec',
        createdTime: job.timestamp,
        updatedTime: job.timestamp,
        sentTime: null,
        deliveredTime: null,
        failedTime: null,
      };
      assert.deepEqual(await records.listForLoginId(project.id, known), [expected], 'the queued delivery is listed before a worker takes it');
      assert.deepEqual(await records.get(project.id, expected.deliveryId), expected);
      const { project: other } = await projects.create('another');
      await assert.rejects(records.get(other.id, expected.deliveryId), /No delivery/, 'another project cannot read it');

      // The worker's one statement writes the record; the reads show it once, moved on.
      const delivery = app.get(DeliveryQueueService).delivery(job)!;
      const written = await counted(() => records.sent(delivery, 1, 'console', 'M1'));
      assert.equal(written.length, 1, `the worker writes the record in one statement: ${written.join('; ')}`);
      const [listed] = await records.listForLoginId(project.id, known);
      assert.deepEqual({ ...listed, updatedTime: 0, sentTime: 0 }, { ...expected, state: 'sent', provider: 'console', attempts: 1, providerMessageId: 'M1', updatedTime: 0, sentTime: 0 });
      assert.equal((await records.listForLoginId(project.id, known)).length, 1);
      assert.equal((await records.get(project.id, expected.deliveryId)).state, 'sent');
    });
  });
}
