import { encodeInfoV1, infoHashV1 } from '../../lambdas/core/info-dict';
import type { ObjectHead } from '../../lambdas/ports/object-store';
import { objectIdentity } from '../../lambdas/ports/object-store';
import type { TorrentCacheKey } from '../../lambdas/ports/torrent-cache';
import { LargeObjectJobs, STALE_JOB_MS } from '../../lambdas/torrents/large-object-jobs';
import { jobIdFor } from '../../lambdas/ports/hashing-job';
import { FakeWorkflow, MemoryCache, MemoryJobStore } from '../support/fakes';

const GiB = 1024 ** 3;
const head: ObjectHead = { bucket: 'media', key: 'films/big.mkv', size: 3 * GiB + 5, etag: '"abc"' };
const cacheKey: TorrentCacheKey = { bucket: head.bucket, key: head.key, identity: objectIdentity(head), variant: 'v1' };
const jobId = jobIdFor(head.bucket, head.key, cacheKey.identity, 'v1');

function setUp() {
  let now = Date.parse('2030-01-01T00:00:00Z');
  const clock = () => new Date(now);
  const jobs = new MemoryJobStore(clock);
  const workflow = new FakeWorkflow();
  const cache = new MemoryCache();
  const large = new LargeObjectJobs({ jobs, workflow, cache, clock, retry: { maxAttempts: 3, cooldownMs: 60_000 } });
  return { jobs, workflow, cache, large, advance: (ms: number) => (now += ms) };
}

const jobOf = (out: Awaited<ReturnType<LargeObjectJobs['torrentOrJob']>>) => {
  if (!('job' in out)) throw new Error('expected a job');
  return out.job;
};

describe('LargeObjectJobs', () => {
  it('starts one job per object identity, named after it, with a deterministic input', async () => {
    const { large, workflow } = setUp();
    const job = jobOf(await large.torrentOrJob(head, cacheKey));
    expect(job).toMatchObject({
      jobId,
      attempt: 1,
      state: 'RUNNING',
      executionName: `${jobId}-1`,
      piecesDone: 0,
      piecesTotal: 1536 + 1,
      pieceLength: 2 * 1024 * 1024,
    });
    expect([...workflow.started.keys()]).toEqual([`${jobId}-1`]);
    expect(workflow.started.get(`${jobId}-1`)).toEqual({
      job: {
        jobId,
        attempt: 1,
        executionName: `${jobId}-1`,
        bucket: 'media',
        key: 'films/big.mkv',
        identity: 'etag:"abc"',
        etag: '"abc"',
        size: head.size,
        variant: 'v1',
      },
    });
  });

  it('50 concurrent requests for an uncached object start exactly one execution', async () => {
    const { large, workflow, jobs } = setUp();
    const outs = await Promise.all(Array.from({ length: 50 }, () => large.torrentOrJob(head, cacheKey)));
    expect(new Set(outs.map((o) => jobOf(o).jobId))).toEqual(new Set([jobId]));
    expect(jobs.begins).toBe(1);
    expect(workflow.startCalls).toEqual([`${jobId}-1`]);
  });

  it('leaves a progressing job alone, and restarts one whose execution never started', async () => {
    const { large, workflow, advance } = setUp();
    await large.torrentOrJob(head, cacheKey);
    workflow.started.clear(); // as if the request that won the job died before StartExecution
    workflow.descriptions.clear();
    advance(STALE_JOB_MS / 2);
    await large.torrentOrJob(head, cacheKey);
    expect(workflow.startCalls).toHaveLength(1);
    advance(STALE_JOB_MS);
    expect(jobOf(await large.torrentOrJob(head, cacheKey)).state).toBe('RUNNING');
    expect(workflow.startCalls).toEqual([`${jobId}-1`, `${jobId}-1`]);
  });

  it('records the failure of an execution that ended without saying so (timed out)', async () => {
    const { large, workflow, advance } = setUp();
    await large.torrentOrJob(head, cacheKey);
    workflow.descriptions.set(`${jobId}-1`, { status: 'TIMED_OUT' });
    advance(STALE_JOB_MS + 1);
    const job = await large.status(jobId);
    expect(job).toMatchObject({ state: 'FAILED', failure: { code: 'ExecutionTimedOut' } });
  });

  it('reports a failed job until the cool-down, then tries again, at most three attempts', async () => {
    const { large, workflow, jobs, advance } = setUp();
    for (let attempt = 1; attempt <= 3; attempt++) {
      const job = jobOf(await large.torrentOrJob(head, cacheKey));
      expect(job).toMatchObject({ attempt, state: 'RUNNING' });
      await jobs.fail(job, { code: 'RetriesExhausted', message: 'SlowDown' });
      advance(30_000);
      const reported = jobOf(await large.torrentOrJob(head, cacheKey));
      expect(reported).toMatchObject({ attempt, state: 'FAILED', failure: { code: 'RetriesExhausted' } });
      expect(large.retryableAt(reported)).toEqual(attempt < 3 ? new Date(reported.finishedAt!.getTime() + 60_000) : undefined);
      advance(30_000);
    }
    advance(24 * 3600 * 1000);
    expect(jobOf(await large.torrentOrJob(head, cacheKey))).toMatchObject({ attempt: 3, state: 'FAILED' });
    expect(workflow.startCalls).toEqual([`${jobId}-1`, `${jobId}-2`, `${jobId}-3`]);
  });

  it('serves the torrent a finished job cached, and rebuilds when it has been evicted since', async () => {
    const { large, jobs, cache, workflow } = setUp();
    const job = jobOf(await large.torrentOrJob(head, cacheKey));
    const info = encodeInfoV1({
      name: 'big.mkv',
      length: head.size,
      pieceLength: job.pieceLength,
      pieces: Buffer.alloc(20 * job.piecesTotal),
    });
    const torrent = {
      infoHash: Buffer.from(infoHashV1(info)).toString('hex'),
      info,
      size: head.size,
      pieceLength: job.pieceLength,
      createdAt: new Date(1_700_000_000_000),
    };
    cache.write(cacheKey, torrent);
    await jobs.succeed(job, torrent.infoHash);
    expect(await large.torrentOrJob(head, cacheKey)).toEqual({ torrent });
    await cache.evictObject(head.bucket, head.key);
    expect(jobOf(await large.torrentOrJob(head, cacheKey))).toMatchObject({ attempt: 2, state: 'RUNNING' });
    expect(workflow.startCalls).toEqual([`${jobId}-1`, `${jobId}-2`]);
  });

  it('gives a changed object (a new identity) a new job', async () => {
    const { large } = setUp();
    const first = jobOf(await large.torrentOrJob(head, cacheKey));
    const changed = { ...head, etag: '"def"' };
    const second = jobOf(await large.torrentOrJob(changed, { ...cacheKey, identity: objectIdentity(changed) }));
    expect(second.jobId).not.toBe(first.jobId);
  });

  it('builds only v1 torrents; other variants above the inline limit are refused', async () => {
    const { large } = setUp();
    await expect(large.torrentOrJob(head, { ...cacheKey, variant: 'v2' })).rejects.toMatchObject({
      status: 413,
      code: 'ObjectTooLargeForInlineHashing',
    });
  });
});
