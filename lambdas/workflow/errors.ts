import { ServiceError } from '../http/errors';

/**
 * The error name the workflow's retry policy retries. Lambda reports a thrown error's `name` as its
 * errorType, and Step Functions matches Retry/Catch on it (aws-local-stepfunctions does the same).
 */
export const TRANSIENT_ERROR_NAME = 'TransientError';

/** A failure worth retrying as is: throttling, a 5xx, a dropped or timed-out connection. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = TRANSIENT_ERROR_NAME;
  }
}

const THROTTLING_OR_SERVER_ERRORS = new Set([
  'SlowDown',
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ThrottledException',
  'InternalError',
  'InternalServerError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/** Whether an error from the SDK or the network is worth retrying. ServiceErrors never are: they are answers. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ServiceError || !(err instanceof Error)) return false;
  const e = err as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string };
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (THROTTLING_OR_SERVER_ERRORS.has(e.name)) return true;
  if (e.code !== undefined && NETWORK_ERROR_CODES.has(e.code)) return true;
  // A ranged GET whose body ended early (the object store checks every range's length).
  return /ended after \d+ of \d+ bytes/.test(e.message);
}

/**
 * What a workflow task throws: transient failures become TransientError (retried by the state
 * machine); everything else keeps its own name (ObjectChangedError fails the job at once).
 */
export function forWorkflow(err: unknown): unknown {
  return isTransient(err) ? new TransientError((err as Error).message, { cause: err }) : err;
}
