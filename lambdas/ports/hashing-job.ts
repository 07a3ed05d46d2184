import { createHash } from 'node:crypto';

/**
 * The contract of a hashing job, shared by the job store, the workflow port, their adapters and the
 * workflow itself: which object a job hashes, how its id and execution names are made, and what
 * StartExecution receives. It lives beside the ports so the lowest layers never import the workflow.
 */

/** The object a job hashes, pinned to one identity, and the attempt it belongs to. */
export interface JobRef {
  readonly jobId: string;
  readonly attempt: number;
  readonly executionName: string;
  readonly bucket: string;
  readonly key: string;
  /** objectIdentity() of the object when the job started. */
  readonly identity: string;
  readonly etag: string;
  readonly versionId?: string;
  readonly size: number;
  /** The build options the cache entry is stored under: one of WORKFLOW_VARIANTS. */
  readonly variant: string;
}

/**
 * Where chunk results live in the metadata bucket (`jobs/<execution>/chunk-000123`); CDK gives the
 * workflow functions this prefix only, and a lifecycle rule expires what a failed job left.
 */
export const JOB_RESULTS_PREFIX = 'jobs/';

/** The build variants the workflow makes: v1 info dicts (BEP 3), public or private (BEP 27). */
export const WORKFLOW_VARIANTS: readonly string[] = ['v1', 'v1+private'];

/**
 * A folder job hashes the objects of one listing of a prefix (folders/folder-workflow.ts): its `key`
 * is the prefix, ending in `/` (no object torrent is ever built for such a key: the endpoint takes
 * it for a folder), its identity comes from the listing's digest, its `size` is the bytes to hash,
 * and it builds any folder variant. Its plan (which objects, which ranges) is in the metadata bucket.
 */
export const FOLDER_LISTING_IDENTITY = 'listing:';
export const isFolderJob = (job: Pick<JobRef, 'key'>) => job.key.endsWith('/');

/** StartExecution input. Deterministic for a job attempt, so a repeated start is idempotent. */
export interface WorkflowInput {
  readonly job: JobRef;
}

/**
 * A job's id: a digest of the object, its identity and the build variant, so every request for
 * the same uncached object finds the same job (and the same execution).
 */
export function jobIdFor(bucket: string, key: string, identity: string, variant: string): string {
  return createHash('sha256').update(`${bucket}\n${key}\n${identity}\n${variant}`).digest('hex').slice(0, 40);
}

/**
 * The execution name of a job attempt: 40 hex characters, a dash and the attempt number; within
 * Step Functions' 80 characters of [0-9A-Za-z_-]. Names stay taken for 90 days after an execution
 * ends, so a retried job gets a new attempt number instead of reusing a name.
 */
export function executionNameFor(jobId: string, attempt: number): string {
  if (!/^[0-9a-f]{40}$/.test(jobId)) throw new RangeError(`invalid job id: ${jobId}`);
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`invalid attempt: ${attempt}`);
  return `${jobId}-${attempt}`;
}

/** The StartExecution input of a job attempt: the same fields in the same order every time. */
export function inputFor(job: JobRef): WorkflowInput {
  return {
    job: {
      jobId: job.jobId,
      attempt: job.attempt,
      executionName: job.executionName,
      bucket: job.bucket,
      key: job.key,
      identity: job.identity,
      etag: job.etag,
      ...(job.versionId !== undefined ? { versionId: job.versionId } : {}),
      size: job.size,
      variant: job.variant,
    },
  };
}
