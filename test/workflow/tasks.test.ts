import fc from 'fast-check';
import { encodeInfoV1, infoHashV1 } from '../../lambdas/core/info-dict';
import { hashPieces } from '../../lambdas/core/piece-hasher';
import { pieceCount, pieceLengthFor } from '../../lambdas/core/piece-length';
import { objectIdentity, type ObjectHead } from '../../lambdas/ports/object-store';
import { accessDenied } from '../../lambdas/http/errors';
import { TRANSIENT_ERROR_NAME } from '../../lambdas/workflow/errors';
import { executionNameFor, inputFor, jobIdFor, WORKFLOW_VARIANTS, type JobRef } from '../../lambdas/ports/hashing-job';
import { describeFailure, makeWorkflowTasks, type WorkflowSettings } from '../../lambdas/workflow/tasks';

import { MemoryCache, MemoryChunkResults, MemoryJobStore, MemoryObjectStore, MemoryPublisher } from '../support/fakes';
import { testBytes } from '../support/service';

function setUp(settings: Partial<WorkflowSettings> = {}) {
  const store = new MemoryObjectStore();
  const cache = new MemoryCache();
  const deps = {
    store,
    cache,
    publisher: new MemoryPublisher(cache),
    jobs: new MemoryJobStore(),
    chunkResults: new MemoryChunkResults(),
    settings: { maxConcurrency: 3, rangeBytes: 8 * 1024, rangeConcurrency: 3, ...settings },
  };
  return { ...deps, tasks: makeWorkflowTasks(deps) };
}

async function startJob(env: ReturnType<typeof setUp>, head: ObjectHead, attempt = 1): Promise<JobRef> {
  const identity = objectIdentity(head);
  const jobId = jobIdFor(head.bucket, head.key, identity, WORKFLOW_VARIANTS[0]!);
  const job = inputFor({
    jobId,
    attempt,
    executionName: executionNameFor(jobId, attempt),
    bucket: head.bucket,
    key: head.key,
    identity,
    etag: head.etag,
    size: head.size,
    variant: WORKFLOW_VARIANTS[0]!,
  }).job;
  const pieceLength = pieceLengthFor(head.size);
  await env.jobs.begin({ ...job, pieceLength, piecesTotal: pieceCount(head.size, pieceLength), startedAt: new Date() });
  return job;
}

function expectedInfo(data: Buffer, name: string) {
  const pieceLength = pieceLengthFor(data.length);
  return Buffer.from(encodeInfoV1({ name, length: data.length, pieceLength, pieces: hashPieces(data, pieceLength) }));
}

describe('workflow tasks', () => {
  it('assemble the same torrent as a one-pass hash, whatever the chunking, order, stream splits and retries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 300_000 }),
        fc.integer({ min: 1, max: 300_000 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 5 }),
        fc.infiniteStream(fc.nat()),
        fc.boolean(),
        async (size, minChunkBytes, yieldSizes, randoms, concurrently) => {
          const env = setUp({ minChunkBytes });
          env.store.yieldSizes = yieldSizes;
          const data = testBytes(size, size);
          const job = await startJob(env, env.store.put('b', 'dir/f.bin', data));

          const planned = await env.tasks.planChunks({ job });
          expect(planned.chunks).toEqual([...planned.chunks.keys()]);
          // Shuffled, with some chunks run twice, as retries and redeliveries do.
          const order = [...planned.chunks, ...planned.chunks.filter(() => randoms.next().value % 4 === 0)]
            .map((c) => [randoms.next().value, c] as const)
            .sort(([a], [b]) => a - b)
            .map(([, c]) => c);
          const run = (chunk: number) => env.tasks.hashChunk({ job, plan: planned.plan, chunk });
          if (concurrently) await Promise.all(order.map(run));
          else for (const c of order) await run(c);
          expect((await env.jobs.get(job.jobId))?.piecesDone).toBe(planned.plan.pieceCount);

          const { infoHash } = await env.tasks.assembleTorrent({ job, plan: planned.plan });
          const cached = await env.cache.get({ bucket: 'b', key: 'dir/f.bin', identity: job.identity, variant: WORKFLOW_VARIANTS[0]! });
          expect(Buffer.from(cached!.info)).toEqual(expectedInfo(data, 'f.bin'));
          expect(infoHash).toBe(Buffer.from(infoHashV1(cached!.info)).toString('hex'));
          expect(env.publisher.published.map((p) => p.registration)).toEqual([
            { infoHashes: [infoHash], bucket: 'b', key: 'dir/f.bin', name: 'f.bin', size, private: false },
          ]);
          const done = await env.jobs.get(job.jobId);
          expect(done).toMatchObject({ state: 'SUCCEEDED', infoHash, piecesDone: planned.plan.pieceCount });
          expect(env.chunkResults.results.size).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('plans no more concurrency than there are chunks', async () => {
    const env = setUp({ minChunkBytes: 64 * 1024, maxConcurrency: 50 });
    const job = await startJob(env, env.store.put('b', 'k', testBytes(250_000)));
    const planned = await env.tasks.planChunks({ job });
    expect(planned.plan).toMatchObject({ chunkCount: 4, maxConcurrency: 4 });
  });

  describe('an object overwritten during the job', () => {
    it('fails the job at planning when the identity is no longer the one requested', async () => {
      const env = setUp();
      const job = await startJob(env, env.store.put('b', 'k', testBytes(1000, 1)));
      env.store.put('b', 'k', testBytes(1000, 2));
      await expect(env.tasks.planChunks({ job })).rejects.toMatchObject({ name: 'ObjectChangedError' });
      expect(await env.jobs.get(job.jobId)).toMatchObject({ state: 'FAILED', failure: { code: 'ObjectChanged' } });
    });

    it('fails the job from a chunk, not retried, and the recorded cause survives the failure handler', async () => {
      const env = setUp({ minChunkBytes: 40_000 });
      const job = await startJob(env, env.store.put('b', 'k', testBytes(100_000, 1)));
      const planned = await env.tasks.planChunks({ job });
      await env.tasks.hashChunk({ job, plan: planned.plan, chunk: 0 });
      env.store.put('b', 'k', testBytes(100_000, 2));
      await expect(env.tasks.hashChunk({ job, plan: planned.plan, chunk: 1 })).rejects.toMatchObject({ name: 'ObjectChangedError' });
      // On AWS the distributed map reports only that its failure threshold was exceeded.
      const reported = await env.tasks.recordFailure({
        job,
        failure: { Error: 'States.ExceedToleratedFailureThreshold', Cause: 'The specified tolerated failure threshold was exceeded' },
      });
      expect(reported.Error).toBe('States.ExceedToleratedFailureThreshold');
      const failed = await env.jobs.get(job.jobId);
      expect(failed).toMatchObject({ state: 'FAILED', failure: { code: 'ObjectChanged' } });
      expect(failed!.failure!.message).toContain('changed while it was being hashed');
      expect(env.chunkResults.results.size).toBe(0);
      // A chunk that starts after the job failed reads nothing.
      const reads = env.store.reads;
      await env.tasks.hashChunk({ job, plan: planned.plan, chunk: 1 });
      expect(env.store.reads).toBe(reads);
    });

    it('does not cache (or evict anything) when the object changed after its chunks were hashed', async () => {
      const env = setUp();
      const job = await startJob(env, env.store.put('b', 'k', testBytes(1000, 1)));
      const planned = await env.tasks.planChunks({ job });
      await env.tasks.hashChunk({ job, plan: planned.plan, chunk: 0 });
      env.store.put('b', 'k', testBytes(1000, 2));
      await expect(env.tasks.assembleTorrent({ job, plan: planned.plan })).rejects.toMatchObject({ name: 'ObjectChangedError' });
      expect(env.cache.size).toBe(0);
      expect(await env.jobs.get(job.jobId)).toMatchObject({ state: 'FAILED', failure: { code: 'ObjectChanged' } });
    });

    it('treats a deleted object as changed', async () => {
      const env = setUp();
      const job = await startJob(env, env.store.put('b', 'k', testBytes(1000, 1)));
      env.store.objects.clear();
      await expect(env.tasks.planChunks({ job })).rejects.toMatchObject({ name: 'ObjectChangedError' });
    });
  });

  describe('errors the state machine sees', () => {
    it('throttling and 5xx become TransientError, which the retry policy retries', async () => {
      const env = setUp();
      const job = await startJob(env, env.store.put('b', 'k', testBytes(1000)));
      env.store.head = async () => {
        throw Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
      };
      await expect(env.tasks.planChunks({ job })).rejects.toMatchObject({ name: TRANSIENT_ERROR_NAME });
    });

    it('a service error is named by its code, so the job reports it', async () => {
      const env = setUp();
      const job = await startJob(env, env.store.put('b', 'k', testBytes(1000)));
      env.store.head = async () => {
        throw accessDenied('Access to b/k is denied to this service.');
      };
      await expect(env.tasks.planChunks({ job })).rejects.toMatchObject({ name: 'AccessDenied' });
      const reported = await env.tasks.recordFailure({
        job,
        failure: {
          Error: 'AccessDenied',
          Cause: JSON.stringify({ errorType: 'AccessDenied', errorMessage: 'Access to b/k is denied to this service.', trace: [] }),
        },
      });
      expect(reported.Cause).toBe('Access to b/k is denied to this service.');
      expect(await env.jobs.get(job.jobId)).toMatchObject({
        state: 'FAILED',
        failure: { code: 'AccessDenied', message: 'Access to b/k is denied to this service.' },
      });
    });
  });

  it.each([
    [{ Error: 'ObjectChangedError', Cause: 'changed' }, undefined, { code: 'ObjectChanged', message: 'changed' }],
    [
      { Error: 'States.ExceedToleratedFailureThreshold', Cause: 'threshold' },
      'chunk 3: boom',
      { code: 'ChunkFailed', message: 'chunk 3: boom' },
    ],
    [
      { Error: TRANSIENT_ERROR_NAME, Cause: '{"errorType":"TransientError","errorMessage":"slow down"}' },
      undefined,
      { code: 'RetriesExhausted', message: 'slow down' },
    ],
    [{ Error: 'Lambda.Unknown', Cause: 'out of memory' }, undefined, { code: 'Unknown', message: 'out of memory' }],
    [{ Error: 'States.Timeout' }, undefined, { code: 'Timeout', message: 'A step of the hashing workflow timed out.' }],
  ])('describes %j as a job failure', (failure, lastError, expected) => {
    expect(describeFailure(failure, lastError)).toEqual(expected);
  });
});
