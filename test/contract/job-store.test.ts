import { DynamoDbJobStore, JOB_RECORD_TTL_SECONDS } from '../../lambdas/adapters/dynamodb-job-store';
import { TORRENT_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { executionNameFor, inputFor, jobIdFor } from '../../lambdas/ports/hashing-job';
import type { JobStore, NewJob } from '../../lambdas/ports/job-store';
import { MemoryJobStore } from '../support/fakes';
import { portContract, portMethods, TestClock, unique, type Fixture } from './support/contract';
import { standInWorld } from './support/stand-ins';

interface JobStoreWorld extends Fixture<JobStore> {
  readonly clock: TestClock;
}

function newJob(key: string, attempt = 1, now = new Date(0)): NewJob {
  const jobId = jobIdFor('b', key, 'etag:"e"', 'v1');
  const { job } = inputFor({
    jobId,
    attempt,
    executionName: executionNameFor(jobId, attempt),
    bucket: 'b',
    key,
    identity: 'etag:"e"',
    etag: '"e"',
    size: 100,
    variant: 'v1',
  });
  return { ...job, pieceLength: 32 * 1024, piecesTotal: 10, startedAt: now };
}

portContract<JobStore, JobStoreWorld>({
  port: 'JobStore',
  methods: portMethods<JobStore>()('get', 'begin', 'recordChunk', 'noteError', 'fail', 'succeed', 'markChecked'),
  targets: [
    {
      name: 'fake',
      setUp: () => {
        const clock = new TestClock();
        return { port: new MemoryJobStore(clock.now), clock };
      },
    },
    {
      name: 'DynamoDB Local',
      setUp: async () => {
        const world = standInWorld('jobs');
        const clock = new TestClock();
        const table = await world.table(TORRENT_TABLE_SCHEMA);
        return { port: new DynamoDbJobStore(world.clients.dynamoDb, table, clock.now), clock, dispose: world.dispose };
      },
    },
  ],
  tests: (world) => {
    const job = (attempt = 1) => newJob(unique('job'), attempt, world().clock.now());

    it('has no record of a job never begun', async () => {
      expect(await world().port.get(job().jobId)).toBeUndefined();
    });

    it('lets exactly one of many concurrent callers begin a job', async () => {
      const { port: jobs, clock } = world();
      const j = job();
      const won = await Promise.all(Array.from({ length: 20 }, () => jobs.begin(j)));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await jobs.get(j.jobId)).toMatchObject({
        state: 'RUNNING',
        attempt: 1,
        piecesDone: 0,
        piecesTotal: 10,
        startedAt: clock.now(),
        updatedAt: clock.now(),
      });
      expect((await jobs.get(j.jobId))?.checkedAt).toBeUndefined();
    });

    it('counts each chunk once, however often it is reported, and notes the progress time', async () => {
      const { port: jobs, clock } = world();
      const j = job();
      await jobs.begin(j);
      clock.advance(5000);
      await Promise.all([jobs.recordChunk(j, 0, 4), jobs.recordChunk(j, 0, 4), jobs.recordChunk(j, 1, 4), jobs.recordChunk(j, 1, 4)]);
      await jobs.recordChunk(j, 2, 2);
      expect(await jobs.get(j.jobId)).toMatchObject({ piecesDone: 10, updatedAt: clock.now() });
    });

    it('keeps the latest chunk error, cut to 1000 characters', async () => {
      const { port: jobs, clock } = world();
      const j = job();
      await jobs.begin(j);
      await jobs.noteError(j, 'chunk 1: socket hang up');
      clock.advance(1000);
      await jobs.noteError(j, `chunk 2: ${'x'.repeat(5000)}`);
      const got = await jobs.get(j.jobId);
      expect(got?.lastError).toBe(`chunk 2: ${'x'.repeat(5000)}`.slice(0, 1000));
      expect(got?.updatedAt).toEqual(clock.now());
    });

    it('keeps the first failure and ignores updates of an attempt that has ended', async () => {
      const { port: jobs, clock } = world();
      const j = job();
      await jobs.begin(j);
      clock.advance(1000);
      expect(await jobs.fail(j, { code: 'ObjectChanged', message: `first ${'y'.repeat(2000)}` })).toBe(true);
      expect(await jobs.fail(j, { code: 'ChunkFailed', message: 'second' })).toBe(false);
      expect(await jobs.succeed(j, 'f'.repeat(40))).toBe(false);
      await jobs.recordChunk(j, 0, 4);
      await jobs.noteError(j, 'too late');
      await jobs.markChecked(j);
      const got = await jobs.get(j.jobId);
      expect(got).toMatchObject({ state: 'FAILED', piecesDone: 0, finishedAt: clock.now() });
      expect(got?.failure).toEqual({ code: 'ObjectChanged', message: `first ${'y'.repeat(2000)}`.slice(0, 1000) });
      expect(got?.lastError).toBeUndefined();
      expect(got?.checkedAt).toBeUndefined();
    });

    it('begins the next attempt only after the current one, once, and only from the current one', async () => {
      const { port: jobs, clock } = world();
      const first = job();
      await jobs.begin(first);
      const second = { ...newJob(first.key, 2, clock.now()) };
      expect(await jobs.begin(second, 1)).toBe(false); // attempt 1 is still running
      await jobs.fail(first, { code: 'ObjectChanged', message: 'changed' });
      expect(await jobs.begin(second, 2)).toBe(false); // not the current attempt
      expect(await jobs.begin(second)).toBe(false); // a record exists
      const won = await Promise.all([jobs.begin(second, 1), jobs.begin(second, 1), jobs.begin(second, 1)]);
      expect(won.filter(Boolean)).toHaveLength(1);
      const got = await jobs.get(first.jobId);
      expect(got).toMatchObject({ state: 'RUNNING', attempt: 2, piecesDone: 0 });
      expect(got?.failure).toBeUndefined();
      await jobs.recordChunk(first, 0, 4); // attempt 1 again: ignored
      expect((await jobs.get(first.jobId))?.piecesDone).toBe(0);
    });

    it('succeeds a running attempt: infohash, every piece done, finish time', async () => {
      const { port: jobs, clock } = world();
      const j = job();
      await jobs.begin(j);
      await jobs.recordChunk(j, 0, 3);
      clock.advance(2000);
      expect(await jobs.succeed(j, 'a'.repeat(40))).toBe(true);
      expect(await jobs.get(j.jobId)).toMatchObject({
        state: 'SUCCEEDED',
        infoHash: 'a'.repeat(40),
        piecesDone: 10,
        finishedAt: clock.now(),
        updatedAt: clock.now(),
      });
      expect(await jobs.fail(j, { code: 'Late', message: 'late' })).toBe(false);
    });

    it('marks a running job checked without counting it as progress', async () => {
      const { port: jobs, clock } = world();
      const j = job();
      await jobs.begin(j);
      const begun = clock.now();
      clock.advance(61_000);
      await jobs.markChecked(j);
      expect(await jobs.get(j.jobId)).toMatchObject({ state: 'RUNNING', checkedAt: clock.now(), updatedAt: begun });
      // Another attempt's mark changes nothing.
      clock.advance(1000);
      await jobs.markChecked({ ...j, attempt: 2 });
      expect((await jobs.get(j.jobId))?.checkedAt).toEqual(new Date(clock.now().getTime() - 1000));
    });

    it('treats a record past its expiry as absent (DynamoDB deletes expired items late)', async () => {
      const { port: jobs, clock } = world();
      const j = job();
      await jobs.begin(j);
      clock.advance((JOB_RECORD_TTL_SECONDS - 10) * 1000);
      expect(await jobs.get(j.jobId)).toBeDefined();
      clock.advance(11_000);
      expect(await jobs.get(j.jobId)).toBeUndefined();
      // The record is still stored (expired items are deleted late), but a job begins over it.
      expect(await jobs.begin(j)).toBe(true);
      expect(await jobs.get(j.jobId)).toMatchObject({ state: 'RUNNING', attempt: 1 });
    });
  },
});
