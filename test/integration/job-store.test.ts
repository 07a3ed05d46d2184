import { DynamoDbJobStore, JOB_RECORD_TTL_SECONDS } from '../../lambdas/adapters/dynamodb-job-store';
import { chunkKey, S3ChunkResults } from '../../lambdas/adapters/s3-chunk-results';
import { TORRENT_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { executionNameFor, inputFor, jobIdFor } from '../../lambdas/ports/hashing-job';
import { createBucket, createTestTable, testClients, uniqueSuffix } from '../support/service';

const clients = testClients();
const suffix = uniqueSuffix();
const table = `jobs-${suffix}`;
const bucket = `metadata-${suffix}`;
let now = Date.parse('2030-01-01T00:00:00Z');
const jobs = new DynamoDbJobStore(clients.dynamoDb, table, () => new Date(now));
const results = new S3ChunkResults(clients.s3, bucket);

beforeAll(async () => {
  await createTestTable(table, TORRENT_TABLE_SCHEMA);
  await createBucket(clients, bucket);
});
afterAll(() => {
  clients.s3.destroy();
  clients.dynamoDb.destroy();
});

function newJob(key: string, attempt = 1) {
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
  return { ...job, pieceLength: 32 * 1024, piecesTotal: 10, startedAt: new Date(now) };
}

describe('DynamoDbJobStore', () => {
  it('lets exactly one of many concurrent callers begin a job', async () => {
    const job = newJob('race.bin');
    const won = await Promise.all(Array.from({ length: 20 }, () => jobs.begin(job)));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await jobs.get(job.jobId)).toMatchObject({
      state: 'RUNNING',
      attempt: 1,
      piecesDone: 0,
      piecesTotal: 10,
      startedAt: new Date(now),
    });
  });

  it('counts each chunk once, however often it is reported', async () => {
    const job = newJob('progress.bin');
    await jobs.begin(job);
    await Promise.all([jobs.recordChunk(job, 0, 4), jobs.recordChunk(job, 0, 4), jobs.recordChunk(job, 1, 4), jobs.recordChunk(job, 1, 4)]);
    await jobs.recordChunk(job, 2, 2);
    expect((await jobs.get(job.jobId))?.piecesDone).toBe(10);
  });

  it('keeps the first failure, ignores updates of an attempt that has ended, and restarts with the next attempt', async () => {
    const job = newJob('failing.bin');
    await jobs.begin(job);
    await jobs.noteError(job, 'chunk 3: socket hang up');
    expect(await jobs.fail(job, { code: 'ObjectChanged', message: 'first' })).toBe(true);
    expect(await jobs.fail(job, { code: 'ChunkFailed', message: 'second' })).toBe(false);
    expect(await jobs.succeed(job, 'f'.repeat(40))).toBe(false);
    await jobs.recordChunk(job, 0, 4);
    expect(await jobs.get(job.jobId)).toMatchObject({
      state: 'FAILED',
      failure: { code: 'ObjectChanged', message: 'first' },
      lastError: 'chunk 3: socket hang up',
      piecesDone: 0,
    });

    expect(await jobs.begin(newJob('failing.bin', 2), 2)).toBe(false); // not the current attempt
    const second = newJob('failing.bin', 2);
    const [a, b] = await Promise.all([jobs.begin(second, 1), jobs.begin(second, 1)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await jobs.get(job.jobId)).toMatchObject({ state: 'RUNNING', attempt: 2, piecesDone: 0 });
    expect((await jobs.get(job.jobId))?.failure).toBeUndefined();
    await jobs.recordChunk(job, 0, 4); // attempt 1 again: ignored
    expect((await jobs.get(job.jobId))?.piecesDone).toBe(0);
    expect(await jobs.succeed(second, 'a'.repeat(40))).toBe(true);
    expect(await jobs.get(job.jobId)).toMatchObject({
      state: 'SUCCEEDED',
      infoHash: 'a'.repeat(40),
      piecesDone: 10,
      finishedAt: new Date(now),
    });
  });

  it('treats an expired record as absent (DynamoDB deletes expired items late)', async () => {
    const job = newJob('old.bin');
    await jobs.begin(job);
    now += (JOB_RECORD_TTL_SECONDS + 1) * 1000;
    expect(await jobs.get(job.jobId)).toBeUndefined();
  });
});

describe('S3ChunkResults', () => {
  it('stores, reads and deletes chunk hashes, across listing pages', async () => {
    const execution = executionNameFor(jobIdFor('b', 'k', 'etag:"e"', 'v1'), 1);
    const count = 1003;
    for (let i = 0; i < count; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, (_, j) => results.put(execution, i + j, Buffer.alloc(20, (i + j) % 256))),
      );
    }
    expect(Buffer.from(await results.get(execution, 1002))).toEqual(Buffer.alloc(20, 1002 % 256));
    expect(chunkKey(execution, 7)).toBe(`jobs/${execution}/chunk-000007`);
    expect(await results.deleteAll(execution)).toBe(count);
    await expect(results.get(execution, 0)).rejects.toThrow();
    expect(await results.deleteAll(execution)).toBe(0);
  }, 60_000);
});
