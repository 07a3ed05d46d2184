import { createHash } from 'node:crypto';
import type { ChunkPlan } from '../core/chunk-plan';

/**
 * The hashing workflow's state payload, typed once: what the endpoint passes to StartExecution and
 * what each task receives and returns. The ASL definition (definition.ts) addresses these fields
 * with the JSONPaths in PATH, which are checked against these types.
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

/** StartExecution input. Deterministic for a job attempt, so a repeated start is idempotent. */
export interface WorkflowInput {
  readonly job: JobRef;
}

export interface PlanState extends ChunkPlan {
  /** The Map's MaxConcurrency (MaxConcurrencyPath), from the Plan function's configuration. */
  readonly maxConcurrency: number;
}

/** "Plan chunks" output, and the state the Map iterates over. */
export interface PlannedState extends WorkflowInput {
  readonly plan: PlanState;
  /** Chunk numbers 0..chunkCount-1: numbers, not ranges, to keep the payload small. */
  readonly chunks: readonly number[];
}

/** "Hash chunk" input: the Map's ItemSelector builds it from the planned state and one item. */
export interface ChunkTaskInput extends WorkflowInput {
  readonly plan: PlanState;
  readonly chunk: number;
}

/** "Hash chunk" output: empty, so 10,000 of them stay small; the hashes go to S3. */
export type ChunkTaskOutput = Record<string, never>;

/** "Assemble torrent" input. */
export interface AssembleInput extends WorkflowInput {
  readonly plan: PlanState;
}

export interface AssembleOutput {
  readonly infoHash: string;
}

/** What a Catch puts at `$.failure`: Step Functions' error name and cause. */
export interface TaskFailure {
  readonly Error: string;
  readonly Cause?: string;
}

/** "Record failure" input. */
export interface FailureInput extends WorkflowInput {
  readonly failure: TaskFailure;
}

type TopLevelField = keyof PlannedState | keyof ChunkTaskInput | keyof FailureInput;

/** A JSONPath to a top-level field of the state: a typo in a field name fails to compile. */
export const statePath = <K extends TopLevelField>(field: K) => `$.${field}` as const;

export const PATH = {
  job: statePath('job'),
  plan: statePath('plan'),
  chunks: statePath('chunks'),
  failure: statePath('failure'),
  maxConcurrency: `${statePath('plan')}.${'maxConcurrency' satisfies keyof PlanState}`,
  failureError: `${statePath('failure')}.${'Error' satisfies keyof TaskFailure}`,
  failureCause: `${statePath('failure')}.${'Cause' satisfies keyof TaskFailure}`,
} as const;

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
