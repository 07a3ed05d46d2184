import type { ChunkPlan } from '../core/chunk-plan';
import type { WorkflowInput } from '../ports/hashing-job';

/**
 * The hashing workflow's state payload, typed once: what the endpoint passes to StartExecution and
 * what each task receives and returns. The ASL definition (definition.ts) addresses these fields
 * with the JSONPaths in PATH, which are checked against these types.
 */

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
