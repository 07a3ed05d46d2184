import { pieceCount, pieceLengthFor } from '../core/piece-length';
import type { HashingWorkflow } from '../ports/hashing-workflow';
import type { HashingJob, JobStore } from '../ports/job-store';
import { objectIdentity, type ObjectHead } from '../ports/object-store';
import type { CachedTorrent, TorrentCache, TorrentCacheKey } from '../ports/torrent-cache';
import { ServiceError } from '../http/errors';
import { executionNameFor, inputFor, isFolderJob, jobIdFor, WORKFLOW_VARIANTS, type JobRef } from '../ports/hashing-job';

export interface LargeObjectJobsDeps {
  readonly jobs: JobStore;
  readonly workflow: HashingWorkflow;
  readonly cache: TorrentCache;
  readonly clock?: () => Date;
  readonly retry?: Partial<RetryPolicy>;
}

/**
 * When a failed job is tried again. A job fails for good reasons (the object changed, access was
 * denied) and for bad luck (retries exhausted under throttling, a timeout). Either way the failure
 * is reported, with its cause, for `cooldownMs`; after that the next request for the same object
 * identity starts another attempt, up to `maxAttempts`. After that the failure stands until the
 * object changes (a new identity is a new job) or the job record expires (120 days).
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly cooldownMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, cooldownMs: 10 * 60 * 1000 };

/**
 * A running job is compared with its execution when it has shown no progress for this long: that
 * catches an execution that never started (the request that created the job died first), and one
 * that ended without recording it (timed out, aborted, or its failure handler failed).
 */
export const STALE_JOB_MS = 60 * 1000;

export type TorrentOrJob = { readonly torrent: CachedTorrent } | { readonly job: HashingJob };

/**
 * Torrents of objects above the inline hashing limit: found in the cache, or built by the hashing
 * workflow. Many concurrent requests for one uncached object start one job: the job record is
 * created with a conditional write (one request wins and starts the execution), and the execution
 * name is deterministic, so even a repeated StartExecution finds the same execution.
 */
export class LargeObjectJobs {
  private readonly clock: () => Date;
  readonly retry: RetryPolicy;

  constructor(private readonly deps: LargeObjectJobsDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.retry = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
  }

  /** The torrent, when the job for this identity has built it; else the job (started if need be). */
  async torrentOrJob(head: ObjectHead, cacheKey: TorrentCacheKey): Promise<TorrentOrJob> {
    if (!WORKFLOW_VARIANTS.includes(cacheKey.variant) && !isFolderJob(cacheKey)) {
      throw new ServiceError(
        413,
        'ObjectTooLargeForInlineHashing',
        `${head.key} has ${head.size} bytes; above the inline limit only ${WORKFLOW_VARIANTS.join(' and ')} torrents are built (by the hashing workflow).`,
      );
    }
    const jobId = jobIdFor(head.bucket, head.key, cacheKey.identity, cacheKey.variant);
    const job = await this.deps.jobs.get(jobId);
    if (job === undefined) return this.begin(head, cacheKey, jobId, 1);
    const current = job.state === 'RUNNING' ? await this.reconcile(job) : job;
    switch (current.state) {
      case 'RUNNING':
        return { job: current };
      case 'SUCCEEDED': {
        const torrent = await this.deps.cache.get(cacheKey);
        // Built, then evicted (the object was deleted and the same bytes uploaded again): rebuild.
        return torrent !== undefined ? { torrent } : this.begin(head, cacheKey, jobId, current.attempt + 1, current.attempt);
      }
      case 'FAILED': {
        const retryableAt = this.retryableAt(current);
        return retryableAt !== undefined && retryableAt <= this.clock()
          ? this.begin(head, cacheKey, jobId, current.attempt + 1, current.attempt)
          : { job: current };
      }
    }
  }

  /** The job behind a status URL, reconciled with its execution when it looks stuck. */
  async status(jobId: string): Promise<HashingJob | undefined> {
    const job = await this.deps.jobs.get(jobId);
    return job?.state === 'RUNNING' ? this.reconcile(job) : job;
  }

  /** When a failed job may be tried again; undefined when it will not be (or has not failed). */
  retryableAt(job: HashingJob): Date | undefined {
    if (job.state !== 'FAILED' || job.attempt >= this.retry.maxAttempts) return undefined;
    return new Date((job.finishedAt ?? job.updatedAt).getTime() + this.retry.cooldownMs);
  }

  private async begin(
    head: ObjectHead,
    cacheKey: TorrentCacheKey,
    jobId: string,
    attempt: number,
    previousAttempt?: number,
  ): Promise<TorrentOrJob> {
    const pieceLength = pieceLengthFor(head.size);
    const ref: JobRef = {
      jobId,
      attempt,
      executionName: executionNameFor(jobId, attempt),
      bucket: head.bucket,
      key: head.key,
      identity: objectIdentity(head),
      etag: head.etag,
      ...(head.versionId !== undefined ? { versionId: head.versionId } : {}),
      size: head.size,
      variant: cacheKey.variant,
    };
    const won = await this.deps.jobs.begin(
      { ...ref, pieceLength, piecesTotal: pieceCount(head.size, pieceLength), startedAt: this.clock() },
      previousAttempt,
    );
    if (won) await this.deps.workflow.start(ref.executionName, inputFor(ref));
    const job = await this.deps.jobs.get(jobId);
    if (job === undefined) throw new Error(`job ${jobId} vanished right after it was begun`);
    return { job };
  }

  private async reconcile(job: HashingJob): Promise<HashingJob> {
    const lastSign = Math.max(job.updatedAt.getTime(), job.checkedAt?.getTime() ?? 0);
    if (this.clock().getTime() - lastSign < STALE_JOB_MS) return job;
    await this.deps.jobs.markChecked(job);
    const execution = await this.deps.workflow.describe(job.executionName);
    if (execution === undefined) {
      // The request that created the job did not live to start it: start it now (idempotent).
      await this.deps.workflow.start(job.executionName, inputFor(job));
    } else if (execution.status === 'FAILED' || execution.status === 'TIMED_OUT' || execution.status === 'ABORTED') {
      await this.deps.jobs.fail(job, {
        code:
          execution.status === 'FAILED' ? 'ExecutionFailed' : execution.status === 'TIMED_OUT' ? 'ExecutionTimedOut' : 'ExecutionAborted',
        message: `The hashing workflow ended ${execution.status}${execution.error ? ` (${execution.error})` : ''}${execution.cause ? `: ${execution.cause}` : ''}`,
      });
    }
    return (await this.deps.jobs.get(job.jobId)) ?? job;
  }
}
