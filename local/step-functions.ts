import './promise-with-resolvers';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ExecutionDescription, ExecutionStatus, HashingWorkflow } from '../lambdas/ports/hashing-workflow';
import {
  hashingWorkflowDefinition,
  WORKFLOW_FUNCTIONS,
  type AslDefinition,
  type WorkflowFunction,
  type WorkflowFunctionArns,
} from '../lambdas/workflow/definition';
import type { WorkflowTasks } from '../lambdas/workflow/tasks';
import type { WorkflowInput } from '../lambdas/ports/hashing-job';

/** The ARNs the local definition names; each maps to the in-process task of that function. */
export const LOCAL_FUNCTION_ARNS: WorkflowFunctionArns = Object.fromEntries(
  Object.keys(WORKFLOW_FUNCTIONS).map((fn) => [fn, `arn:aws:lambda:us-east-1:000000000000:function:s3-torrent-${kebab(fn)}`]),
) as WorkflowFunctionArns;

/** The definition `npm start` runs: the very one CDK deploys, with local ARNs substituted. */
export function localWorkflowDefinition(): AslDefinition {
  return hashingWorkflowDefinition(LOCAL_FUNCTION_ARNS);
}

interface LocalExecution {
  readonly input: string;
  status: ExecutionStatus;
  error?: string;
  cause?: string;
  readonly done: Promise<void>;
  readonly abort: () => void;
}

export interface LocalWorkflowOptions {
  readonly logger?: Logger;
  /** Replaces every retry wait (milliseconds), so failure tests do not sleep through backoff. */
  readonly retryIntervalMs?: number;
}

/**
 * Step Functions on this machine: aws-local-stepfunctions runs the hashing workflow's definition
 * in-process, each Task calling the same task code its Lambda runs. It keeps Step Functions'
 * naming rule: one execution per name, and starting a name again finds the existing execution.
 *
 * The library runs a DISTRIBUTED map given ItemsPath as an inline map with MaxConcurrency
 * honoured (MaxConcurrencyPath here), which is why the definition passes chunks inline.
 */
export class LocalHashingWorkflow implements HashingWorkflow {
  readonly definition: AslDefinition = localWorkflowDefinition();
  private readonly machine: StateMachine;
  private readonly executions = new Map<string, LocalExecution>();
  private readonly handlers: Record<string, (input: unknown) => Promise<unknown>>;

  constructor(
    tasks: WorkflowTasks,
    private readonly options: LocalWorkflowOptions = {},
  ) {
    // The library's validator annotates the definition it is given (QueryLanguage...): give it a copy.
    this.machine = new StateMachine(structuredClone(this.definition) as unknown as StateMachineDefinition);
    this.handlers = taskHandlersByStateName(this.definition, tasks);
  }

  async start(name: string, input: WorkflowInput): Promise<void> {
    if (this.executions.has(name)) return;
    const run = this.machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: this.handlers as never,
        ...(this.options.retryIntervalMs === undefined
          ? {}
          : { retryIntervalOverrides: retryOverrides(this.definition, this.options.retryIntervalMs) }),
      },
      context: { Execution: { Name: name, Input: input as never, StartTime: new Date().toISOString() } },
    });
    const execution: LocalExecution = {
      input: JSON.stringify(input),
      status: 'RUNNING',
      abort: run.abort,
      done: run.result.then(
        () => {
          execution.status = 'SUCCEEDED';
        },
        (err: Error) => {
          const failure = (err.cause ?? err) as Error;
          execution.status =
            err.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : err.name === 'ExecutionAbortedError' ? 'ABORTED' : 'FAILED';
          execution.error = failure.name;
          execution.cause = failure.message;
          this.options.logger?.warn('local execution ended', {
            name,
            status: execution.status,
            error: failure.name,
            cause: failure.message,
          });
        },
      ),
    };
    this.executions.set(name, execution);
  }

  async describe(name: string): Promise<ExecutionDescription | undefined> {
    const execution = this.executions.get(name);
    return execution && { status: execution.status, error: execution.error, cause: execution.cause };
  }

  /** The input an execution was started with, as Step Functions keeps it (JSON text). */
  inputOf(name: string): string | undefined {
    return this.executions.get(name)?.input;
  }

  /** Names of every execution started, in order. */
  get executionNames(): string[] {
    return [...this.executions.keys()];
  }

  /** Resolves when every execution started so far has ended. */
  async idle(): Promise<void> {
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }

  /** Aborts running executions (at shutdown). */
  async stop(): Promise<void> {
    for (const e of this.executions.values()) if (e.status === 'RUNNING') e.abort();
    await this.idle();
  }
}

/**
 * The local handler of every Task state, keyed by state name as the library wants, found through
 * the state's Resource: a Task whose ARN names no workflow function is an error here, not at run time.
 * Inputs and outputs go through JSON, as they do between Step Functions and Lambda.
 */
export function taskHandlersByStateName(
  definition: AslDefinition,
  tasks: WorkflowTasks,
): Record<string, (input: unknown) => Promise<unknown>> {
  const byArn = new Map(Object.entries(LOCAL_FUNCTION_ARNS).map(([fn, arn]) => [arn, fn as WorkflowFunction]));
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [stateName, state] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const fn = byArn.get(String(state.Resource));
    if (fn === undefined) throw new Error(`state ${JSON.stringify(stateName)} calls ${String(state.Resource)}, which is no local function`);
    const task = tasks[fn] as (input: unknown) => Promise<unknown>;
    handlers[stateName] = async (input) => roundTrip(await task(roundTrip(input)));
  }
  return handlers;
}

function* allStates(definition: { States: Record<string, unknown> }): Generator<[string, Record<string, unknown>]> {
  for (const [name, state] of Object.entries(definition.States) as [string, Record<string, unknown>][]) {
    yield [name, state];
    const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, unknown> } | undefined;
    if (processor) yield* allStates(processor);
  }
}

function retryOverrides(definition: AslDefinition, ms: number): Record<string, number> {
  return Object.fromEntries([...allStates(definition)].filter(([, s]) => 'Retry' in s).map(([name]) => [name, ms]));
}

const roundTrip = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
