import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { allocateRedisDb, REDIS_BASE } from '../../test/support/stack.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { PreparedChallenge } from '../otp/otp.types.js';
import { ProjectSettings } from '../projects/project-settings.js';
import type { Project } from '../projects/projects.service.js';
import { SendLimitsService } from './send-limits.service.js';

const refused = (error: unknown) => error instanceof DomainError && error.kind === 'RATE_LIMITED';
const NEW = { newRecipient: true, client: '198.51.100.7' };

/**
 * issueWithinLimits runs a send as one script on a single Redis and as one script per step on Redis
 * Cluster; both must let through and refuse the same sends and leave the same state behind. The
 * split path runs here on a single Redis too, through a client that says it is a Cluster.
 */
describe('SendLimitsService.issueWithinLimits', () => {
  let redis: Redis;
  before(async () => {
    Logger.overrideLogger(false);
    redis = new Redis(`${REDIS_BASE}/${await allocateRedisDb()}`);
  });
  after(async () => {
    await redis?.quit();
  });

  const paths = {
    'one script (single Redis)': () => new SendLimitsService(redis),
    'one step at a time (Redis Cluster)': () =>
      new SendLimitsService(new Proxy(redis, { get: (target, key) => (key === 'isCluster' ? true : Reflect.get(target, key)) })),
  };

  for (const [path, limitsOf] of Object.entries(paths)) {
    describe(path, () => {
      const project = (settings: Partial<ProjectSettings> = {}): Project => ({ id: randomUUID(), name: 'spec', settings: Object.assign(new ProjectSettings(), settings) });
      const challenge = (): PreparedChallenge => {
        const key = `otp:{${randomUUID()}}:challenge`;
        const challengeId = randomUUID();
        return {
          challengeId,
          code: '123456',
          expiresAt: Date.now() + 60_000,
          key,
          args: [challengeId, 'hash', 'signin', Date.now() + 60_000, 3, '{}', 60_000, 'email'],
          store: async () => {
            await redis.hset(key, 'id', challengeId);
          },
        };
      };
      /** The challenges actually in Redis, whichever way they got there. */
      const live = async (...challenges: PreparedChallenge[]) =>
        (await Promise.all(challenges.map(async (c) => ((await redis.hget(c.key, 'id')) === c.challengeId ? c.challengeId : undefined)))).filter(Boolean);
      /** Messages charged to every budget of the database (each test starts with an empty one). */
      const budgetUsed = async () => {
        const counts = await Promise.all((await redis.keys('rl:*:budget')).map((key) => redis.get(key)));
        return counts.reduce((sum, count) => sum + Number(count), 0);
      };

      it('issues the challenge when every limit lets the send go, and counts it', async () => {
        await redis.flushdb();
        const limits = limitsOf();
        const p = project();
        const c = challenge();
        await limits.issueWithinLimits(p, 'email', 'a@example.com', NEW, c);
        assert.deepEqual(await live(c), [c.challengeId]);
        assert.equal(await budgetUsed(), 1);
        const fields = await redis.hgetall(c.key);
        if (path.startsWith('one script')) assert.equal(fields.ch, ',email,', 'the script stored the challenge as ISSUE_STEP does');
      });

      it('a refused recipient charges no budget and leaves the live challenge alone', async () => {
        await redis.flushdb();
        const limits = limitsOf();
        const p = project({ recipientCooldownSeconds: 60 });
        const first = challenge();
        await limits.issueWithinLimits(p, 'email', 'b@example.com', NEW, first);
        const second = { ...challenge(), key: first.key };
        await assert.rejects(limits.issueWithinLimits(p, 'email', 'B+tag@example.com', NEW, second), refused);
        assert.deepEqual(await live(first), [first.challengeId], 'the first code still stands');
        assert.equal(await budgetUsed(), 1);
      });

      it('a send over the budget is refused and issues nothing; a verified recipient neither spends nor is refused by it', async () => {
        await redis.flushdb();
        const limits = limitsOf();
        const p = project({ messageBudgetEmail: 1 });
        const [one, two, three] = [challenge(), challenge(), challenge()];
        await limits.issueWithinLimits(p, 'email', 'c1@example.com', NEW, one);
        await assert.rejects(limits.issueWithinLimits(p, 'email', 'c2@example.com', NEW, two), refused);
        await limits.issueWithinLimits(p, 'email', 'c3@example.com', { newRecipient: false, client: NEW.client }, three);
        assert.deepEqual(await live(one, two, three), [one.challengeId, three.challengeId]);
        assert.equal(await budgetUsed(), 2, 'the refused send counted, the verified one did not');
      });

      it('the per-client cap refuses one client while another still gets codes', async () => {
        await redis.flushdb();
        const limits = limitsOf();
        const p = project({ recipientCooldownSeconds: 0, recipientIpLimit: 1 });
        await limits.issueWithinLimits(p, 'email', 'd@example.com', NEW, challenge());
        await assert.rejects(limits.issueWithinLimits(p, 'email', 'd@example.com', NEW, challenge()), (error: unknown) => refused(error) && /from this client/.test((error as Error).message));
        await limits.issueWithinLimits(p, 'email', 'd@example.com', { ...NEW, client: '203.0.113.9' }, challenge());
      });

      it('a prefix full of numbers refuses a new number before its recipient limits or the budget count it', async () => {
        await redis.flushdb();
        const limits = limitsOf();
        const p = project({ prefixRecipientLimit: 1, recipientCooldownSeconds: 60 });
        await limits.issueWithinLimits(p, 'sms', '+33612345678', NEW, challenge());
        const c = challenge();
        await assert.rejects(limits.issueWithinLimits(p, 'sms', '+33612340000', NEW, c), (error: unknown) => refused(error) && /starting with \+3361234/.test((error as Error).message));
        assert.deepEqual(await live(c), []);
        assert.equal(await budgetUsed(), 1);
        assert.equal((await redis.keys('rl:*:cool')).length, 1, 'only the first number got a cooldown');
      });
    });
  }
});
