import type { WorkflowInput } from './hashing-job';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface ExecutionDescription {
  readonly status: ExecutionStatus;
  readonly error?: string;
  readonly cause?: string;
}

/** The hashing workflow's executions: Step Functions on AWS, aws-local-stepfunctions locally. */
export interface HashingWorkflow {
  /**
   * Starts the execution `name`, idempotently: names are deterministic per job attempt, so an
   * execution that already exists under that name (running or ended) is found, not duplicated.
   */
  start(name: string, input: WorkflowInput): Promise<void>;
  /** Undefined when no execution has that name. */
  describe(name: string): Promise<ExecutionDescription | undefined>;
}
