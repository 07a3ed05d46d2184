import { PATH } from './state';
import { TRANSIENT_ERROR_NAME } from './errors';

/**
 * The hashing workflow in Amazon States Language, produced by this one function for both the CDK
 * construct (with `${...}` placeholders that CloudFormation substitutes with the functions' ARNs)
 * and the local runner (with local ARNs it maps to in-process handlers). Pure data, no CDK.
 *
 *   Plan chunks -> Hash chunks (Map, distributed on AWS: "Hash chunk" per chunk) -> Assemble torrent
 *        \______________________\_____________________________________________/
 *                                 any failure -> Record failure -> Job failed
 *
 * Tasks name the Lambda function ARN directly as their Resource (not `arn:aws:states:::lambda:invoke`):
 * the task's result is then the function's return value, unwrapped, on AWS and in
 * aws-local-stepfunctions alike, so one definition behaves the same in both.
 */

export const STATE = {
  PLAN_CHUNKS: 'Plan chunks',
  HASH_CHUNKS: 'Hash chunks',
  HASH_CHUNK: 'Hash chunk',
  ASSEMBLE_TORRENT: 'Assemble torrent',
  RECORD_FAILURE: 'Record failure',
  JOB_FAILED: 'Job failed',
} as const;

/** The workflow's functions, by the placeholder name CDK substitutes with each function's ARN. */
export const WORKFLOW_FUNCTIONS = {
  planChunks: 'PlanChunksFunctionArn',
  hashChunk: 'HashChunkFunctionArn',
  assembleTorrent: 'AssembleTorrentFunctionArn',
  recordFailure: 'RecordFailureFunctionArn',
} as const;

export type WorkflowFunction = keyof typeof WORKFLOW_FUNCTIONS;
export type WorkflowFunctionArns = Readonly<Record<WorkflowFunction, string>>;

/**
 * Each function's Lambda timeout. The task timeouts in the definition add TASK_TIMEOUT_MARGIN so a
 * Lambda timeout surfaces as the function's own error, not as States.Timeout.
 */
export const FUNCTION_TIMEOUT_SECONDS: Readonly<Record<WorkflowFunction, number>> = {
  planChunks: 60,
  hashChunk: 900, // Lambda's maximum; the chunk rule keeps a chunk to a few minutes
  assembleTorrent: 600,
  recordFailure: 60,
};
const TASK_TIMEOUT_MARGIN_SECONDS = 30;

/** An execution that is still running after a day has lost its way; it ends TIMED_OUT. */
export const EXECUTION_TIMEOUT_SECONDS = 24 * 60 * 60;

/**
 * The one retry policy every task uses: Lambda's own service errors and throttling, and the
 * handlers' TransientError (S3/DynamoDB throttling, 5xx, dropped connections). Capped exponential
 * backoff with full jitter, so a throttled fan-out spreads out instead of retrying in lockstep.
 * Anything else (ObjectChangedError above all) is not retried: it fails the job.
 */
export const RETRY_TRANSIENT_ERRORS = {
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
    'Lambda.ClientExecutionTimeoutException',
    TRANSIENT_ERROR_NAME,
  ],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 6,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
} as const;

const CATCH_ALL_INTO_RECORD_FAILURE = [{ ErrorEquals: ['States.ALL'], ResultPath: PATH.failure, Next: STATE.RECORD_FAILURE }];

/** JSON shape of the definition (what JSON.stringify writes and asl-validator reads). */
export type AslDefinition = { readonly StartAt: string; readonly States: Record<string, unknown> } & Record<string, unknown>;

export function hashingWorkflowDefinition(functions: WorkflowFunctionArns): AslDefinition {
  const task = (fn: WorkflowFunction) => ({
    Type: 'Task',
    Resource: functions[fn],
    TimeoutSeconds: FUNCTION_TIMEOUT_SECONDS[fn] + TASK_TIMEOUT_MARGIN_SECONDS,
    Retry: [RETRY_TRANSIENT_ERRORS],
  });
  return {
    Comment: 's3-torrent: hash a large S3 object in parallel chunks and assemble its torrent',
    TimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
    StartAt: STATE.PLAN_CHUNKS,
    States: {
      [STATE.PLAN_CHUNKS]: {
        ...task('planChunks'),
        Comment: 'HEAD the object, check it still has the identity the job was started for, split it into piece-aligned chunks',
        Catch: CATCH_ALL_INTO_RECORD_FAILURE,
        Next: STATE.HASH_CHUNKS,
      },
      [STATE.HASH_CHUNKS]: {
        Type: 'Map',
        Comment: 'One child execution per chunk; any failed chunk fails the map (no tolerated failures)',
        ItemsPath: PATH.chunks,
        ItemSelector: { 'job.$': PATH.job, 'plan.$': PATH.plan, 'chunk.$': '$$.Map.Item.Value' },
        MaxConcurrencyPath: PATH.maxConcurrency,
        ItemProcessor: {
          // STANDARD children: a chunk may take longer than an EXPRESS execution's 5 minutes.
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: STATE.HASH_CHUNK,
          States: {
            [STATE.HASH_CHUNK]: {
              ...task('hashChunk'),
              Comment: 'Ranged GETs pinned to the identity; writes the chunk piece hashes to the metadata bucket',
              End: true,
            },
          },
        },
        // The chunk hashes are in S3; the map's own result is dropped.
        ResultPath: null,
        Catch: CATCH_ALL_INTO_RECORD_FAILURE,
        Next: STATE.ASSEMBLE_TORRENT,
      },
      [STATE.ASSEMBLE_TORRENT]: {
        ...task('assembleTorrent'),
        Comment: 'Concatenate the chunk hashes in order, store the info dict in the torrent cache, register the infohash',
        Parameters: { 'job.$': PATH.job, 'plan.$': PATH.plan },
        Catch: CATCH_ALL_INTO_RECORD_FAILURE,
        End: true,
      },
      [STATE.RECORD_FAILURE]: {
        ...task('recordFailure'),
        Comment: 'Mark the job failed (the first recorded cause wins), delete its chunk results, normalize the error',
        Parameters: { 'job.$': PATH.job, 'failure.$': PATH.failure },
        // Returns the failure with Error and Cause both present, so the Fail state's paths always resolve.
        ResultPath: PATH.failure,
        Next: STATE.JOB_FAILED,
      },
      [STATE.JOB_FAILED]: {
        Type: 'Fail',
        Comment: 'The execution fails with the error that failed the job',
        ErrorPath: PATH.failureError,
        CausePath: PATH.failureCause,
      },
    },
  };
}

/** The placeholders CDK substitutes (`${PlanChunksFunctionArn}`...), for DefinitionBody.fromString. */
export function placeholderFunctionArns(): WorkflowFunctionArns {
  const entries = Object.entries(WORKFLOW_FUNCTIONS).map(([fn, placeholder]) => [fn, `\${${placeholder}}`]);
  return Object.fromEntries(entries) as WorkflowFunctionArns;
}

/** Replaces `${Name}` placeholders as CloudFormation's DefinitionSubstitutions does. */
export function substituteDefinition(definitionString: string, substitutions: Readonly<Record<string, string>>): string {
  return definitionString.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => substitutions[name] ?? whole);
}
