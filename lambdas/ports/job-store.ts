import type { JobRef } from './hashing-job';

export type JobState = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** Why a job failed, in the words the status route and `?torrent` report. */
export interface JobFailure {
  /** A stable code: `ObjectChanged`, `NoSuchKey`, `ExecutionTimedOut`, an error name... */
  readonly code: string;
  readonly message: string;
}

/** One attempt at building the torrent of a large object through the hashing workflow. */
export interface HashingJob extends JobRef {
  readonly state: JobState;
  readonly pieceLength: number;
  readonly piecesTotal: number;
  /** Pieces hashed so far (counted once per chunk, however often a chunk is retried). */
  readonly piecesDone: number;
  readonly startedAt: Date;
  readonly updatedAt: Date;
  readonly finishedAt?: Date;
  /** When the endpoint last compared the job with its execution (see LargeObjectJobs). */
  readonly checkedAt?: Date;
  readonly failure?: JobFailure;
  /** The last error a chunk reported, kept to explain a generic map failure. */
  readonly lastError?: string;
  readonly infoHash?: string;
}

export type NewJob = Omit<
  HashingJob,
  'state' | 'piecesDone' | 'updatedAt' | 'finishedAt' | 'checkedAt' | 'failure' | 'lastError' | 'infoHash'
>;

/**
 * Job records: the status a `?torrent` request and the status route report, and the arbiter that
 * lets exactly one of many concurrent requests start a job attempt. Updates name the attempt they
 * belong to and are ignored when it is no longer the current one.
 */
export interface JobStore {
  get(jobId: string): Promise<HashingJob | undefined>;
  /**
   * Records a RUNNING job: attempt 1 when there is no record yet, or the next attempt when
   * `previousAttempt` is the current one and has finished. False when another caller won.
   */
  begin(job: NewJob, previousAttempt?: number): Promise<boolean>;
  /** Adds a finished chunk's pieces to the progress, once per chunk. */
  recordChunk(job: JobRef, chunk: number, pieces: number): Promise<void>;
  /** Keeps the latest chunk error (non-fatal) for the failure report. */
  noteError(job: JobRef, message: string): Promise<void>;
  /** RUNNING -> FAILED; the first failure recorded wins. False when the attempt had already ended. */
  fail(job: JobRef, failure: JobFailure): Promise<boolean>;
  /** RUNNING -> SUCCEEDED. */
  succeed(job: JobRef, infoHash: string): Promise<boolean>;
  markChecked(job: JobRef): Promise<void>;
}
