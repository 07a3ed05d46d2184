import { TransientError } from '../../lambdas/workflow/errors';
import type { WorkflowInput } from '../../lambdas/ports/hashing-job';
import type { ChunkTaskInput, FailureInput } from '../../lambdas/workflow/state';
import type { WorkflowTasks } from '../../lambdas/workflow/tasks';
import { ObjectChangedError } from '../../lambdas/http/errors';
import { LocalHashingWorkflow } from '../../local/step-functions';

const input = (jobId: string): WorkflowInput => ({
  job: {
    jobId,
    attempt: 1,
    executionName: `${jobId}-1`,
    bucket: 'b',
    key: 'k',
    identity: 'etag:"x"',
    etag: '"x"',
    size: 10,
    variant: 'v1',
  },
});

/** Fake tasks that record what the state machine asked of them. */
function fakeTasks(
  chunkCount: number,
  maxConcurrency: number,
  hashChunk: (input: ChunkTaskInput, attempt: number) => Promise<void> = async () => undefined,
) {
  const attempts = new Map<number, number>();
  const log = { running: 0, maxRunning: 0, assembled: 0, failures: [] as FailureInput['failure'][], attempts };
  const tasks: WorkflowTasks = {
    planChunks: async ({ job }) => ({
      job,
      plan: { size: 10, pieceLength: 1, pieceCount: 10, chunkBytes: 1, chunkCount, maxConcurrency },
      chunks: Array.from({ length: chunkCount }, (_, i) => i),
    }),
    hashChunk: async (i) => {
      const attempt = (attempts.get(i.chunk) ?? 0) + 1;
      attempts.set(i.chunk, attempt);
      log.running++;
      log.maxRunning = Math.max(log.maxRunning, log.running);
      try {
        await new Promise((r) => setTimeout(r, 5));
        await hashChunk(i, attempt);
      } finally {
        log.running--;
      }
      return {};
    },
    assembleTorrent: async () => {
      log.assembled++;
      return { infoHash: 'f'.repeat(40) };
    },
    recordFailure: async ({ failure }) => {
      log.failures.push(failure);
      return { Error: failure.Error, Cause: failure.Cause ?? '' };
    },
  };
  return { tasks, log };
}

describe('the local Step Functions runner', () => {
  it('runs the map with the planned MaxConcurrency, then assembles', async () => {
    const { tasks, log } = fakeTasks(12, 3);
    const workflow = new LocalHashingWorkflow(tasks);
    await workflow.start('job-1', input('job'));
    await workflow.idle();
    expect(await workflow.describe('job-1')).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    expect(log.attempts.size).toBe(12);
    expect(log.maxRunning).toBe(3);
    expect(log.assembled).toBe(1);
  });

  it('keeps one execution per name, as Step Functions does', async () => {
    const { tasks, log } = fakeTasks(2, 2);
    const workflow = new LocalHashingWorkflow(tasks);
    await Promise.all(Array.from({ length: 20 }, () => workflow.start('same-1', input('same'))));
    await workflow.idle();
    await workflow.start('same-1', input('same'));
    await workflow.idle();
    expect(workflow.executionNames).toEqual(['same-1']);
    expect(log.assembled).toBe(1);
    expect(await workflow.describe('unknown-1')).toBeUndefined();
  });

  it('retries transient errors with the retry policy', async () => {
    const { tasks, log } = fakeTasks(3, 3, async (i, attempt) => {
      if (i.chunk === 1 && attempt < 3) throw new TransientError('SlowDown');
    });
    const workflow = new LocalHashingWorkflow(tasks, { retryIntervalMs: 1 });
    await workflow.start('retry-1', input('retry'));
    await workflow.idle();
    expect(log.attempts.get(1)).toBe(3);
    expect((await workflow.describe('retry-1'))?.status).toBe('SUCCEEDED');
  });

  it('fails the job at once on an identity mismatch: no retry, failure recorded, execution FAILED with that error', async () => {
    const { tasks, log } = fakeTasks(4, 1, async (i) => {
      if (i.chunk === 2) throw new ObjectChangedError('b', 'k');
    });
    const workflow = new LocalHashingWorkflow(tasks, { retryIntervalMs: 1 });
    await workflow.start('changed-1', input('changed'));
    await workflow.idle();
    expect(log.attempts.get(2)).toBe(1);
    expect(log.assembled).toBe(0);
    expect(log.failures).toEqual([{ Error: 'ObjectChangedError', Cause: expect.stringContaining('changed while it was being hashed') }]);
    expect(await workflow.describe('changed-1')).toMatchObject({ status: 'FAILED', error: 'ObjectChangedError' });
  });
});
