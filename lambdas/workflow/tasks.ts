import type { Logger } from '@aws-lambda-powertools/logger';
import { chunkRange, piecesInChunk, planChunks } from '../core/chunk-plan';
import { encodeInfoV1, infoHashV1 } from '../core/info-dict';
import { SHA1_LENGTH } from '../core/piece-hasher';
import { pieceLengthFor } from '../core/piece-length';
import { torrentNameForKey } from '../core/torrent-name';
import type { ChunkResultStore } from '../ports/chunk-results';
import type { JobFailure, JobStore } from '../ports/job-store';
import { objectIdentity, type ObjectHead, type ObjectStore } from '../ports/object-store';
import type { TorrentPublisher } from '../ports/torrent-publisher';
import { ObjectChangedError, ServiceError } from '../http/errors';
import { hashObjectPieces } from '../torrents/hash-object';
import { publicationOf } from '../torrents/publication';
import { optionsOfVariant } from '../torrents/variants';
import type { WorkflowFunction } from './definition';
import { forWorkflow, TRANSIENT_ERROR_NAME } from './errors';
import type { AssembleInput, AssembleOutput, ChunkTaskInput, ChunkTaskOutput, FailureInput, PlannedState, TaskFailure } from './state';
import { isFolderJob, type JobRef, type WorkflowInput } from '../ports/hashing-job';
import { makeFolderTasks, type FolderWorkflowDeps } from '../folders/folder-workflow';

export interface WorkflowSettings {
  /** The Map's MaxConcurrency: chunk Lambdas running at once per job. */
  readonly maxConcurrency: number;
  /** Overrides the chunk rule's 256 MiB minimum (local runs and tests). */
  readonly minChunkBytes?: number;
  /** Ranged GETs in flight per chunk, and their size. */
  readonly rangeConcurrency?: number;
  readonly rangeBytes?: number;
}

export interface WorkflowTaskDeps {
  readonly store: ObjectStore;
  readonly publisher: TorrentPublisher;
  readonly jobs: JobStore;
  readonly chunkResults: ChunkResultStore;
  readonly settings: WorkflowSettings;
  readonly clock?: () => Date;
  readonly logger?: Logger;
  /** Folder jobs (JobRef keys ending in `/`): their plans and the stored object hashes. */
  readonly folders?: FolderWorkflowDeps;
}

/** The workflow's tasks, one per Lambda function, as the state machine calls them. */
export interface WorkflowTasks {
  readonly planChunks: (input: WorkflowInput) => Promise<PlannedState>;
  readonly hashChunk: (input: ChunkTaskInput) => Promise<ChunkTaskOutput>;
  readonly assembleTorrent: (input: AssembleInput) => Promise<AssembleOutput>;
  readonly recordFailure: (input: FailureInput) => Promise<TaskFailure>;
}

// Every function of the workflow has a task here, and nothing else does.
type AllFunctionsCovered = { [K in WorkflowFunction]: WorkflowTasks[K] };

const DEFAULT_RANGE_CONCURRENCY = 8;
const DEFAULT_RANGE_BYTES = 32 * 1024 * 1024;
const CHUNK_READ_CONCURRENCY = 16;

export function makeWorkflowTasks(deps: WorkflowTaskDeps): WorkflowTasks {
  const clock = deps.clock ?? (() => new Date());

  /** HEADs the object and fails the job (not just the task) when it is no longer the identity the job hashes. */
  const currentHead = async (job: JobRef): Promise<ObjectHead> => {
    let head: ObjectHead;
    try {
      head = await deps.store.head(job.bucket, job.key);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'NoSuchKey') throw await objectChanged(job);
      throw err;
    }
    if (objectIdentity(head) !== job.identity || head.size !== job.size) throw await objectChanged(job);
    return head;
  };
  const objectChanged = async (job: JobRef): Promise<ObjectChangedError> => {
    const err = new ObjectChangedError(job.bucket, job.key);
    await deps.jobs.fail(job, { code: 'ObjectChanged', message: err.message });
    return err;
  };

  let folderTaskSet: ReturnType<typeof makeFolderTasks> | undefined;
  const folder = () => {
    if (deps.folders === undefined) throw new Error('this function is not configured for folder jobs');
    return (folderTaskSet ??= makeFolderTasks({
      ...deps.folders,
      store: deps.store,
      jobs: deps.jobs,
      chunkResults: deps.chunkResults,
      minChunkBytes: deps.settings.minChunkBytes,
      rangeConcurrency: deps.settings.rangeConcurrency ?? DEFAULT_RANGE_CONCURRENCY,
      rangeBytes: deps.settings.rangeBytes ?? DEFAULT_RANGE_BYTES,
    }));
  };

  const tasks: AllFunctionsCovered = {
    async planChunks({ job }) {
      return asWorkflowTask(async () => {
        if (isFolderJob(job)) {
          const plan = await folder().planChunks({ job });
          deps.logger?.info('planned folder', { jobId: job.jobId, attempt: job.attempt, ...plan });
          return {
            job,
            plan: { ...plan, maxConcurrency: Math.max(1, Math.min(deps.settings.maxConcurrency, plan.chunkCount)) },
            chunks: Array.from({ length: plan.chunkCount }, (_, i) => i),
          };
        }
        await currentHead(job);
        const plan = planChunks(job.size, pieceLengthFor(job.size), { minChunkBytes: deps.settings.minChunkBytes });
        deps.logger?.info('planned', { jobId: job.jobId, attempt: job.attempt, ...plan });
        return {
          job,
          plan: { ...plan, maxConcurrency: Math.max(1, Math.min(deps.settings.maxConcurrency, plan.chunkCount)) },
          chunks: Array.from({ length: plan.chunkCount }, (_, i) => i),
        };
      });
    },

    async hashChunk({ job, plan, chunk }) {
      return asWorkflowTask(async () => {
        // Chunks still queued or starting when the job failed have nothing left to do.
        const current = await deps.jobs.get(job.jobId);
        if (current?.attempt !== job.attempt || current.state !== 'RUNNING') return {};
        try {
          if (isFolderJob(job)) {
            const bytes = await folder().hashChunk(job, plan, chunk);
            // Progress in the job record's own pieces.
            await deps.jobs.recordChunk(job, chunk, Math.ceil(bytes / current.pieceLength));
            return {};
          }
          const pieces = await hashObjectPieces(deps.store, headOf(job), plan.pieceLength, chunkRange(plan, chunk), {
            concurrency: deps.settings.rangeConcurrency ?? DEFAULT_RANGE_CONCURRENCY,
            rangeBytes: deps.settings.rangeBytes ?? DEFAULT_RANGE_BYTES,
          });
          await deps.chunkResults.put(job.executionName, chunk, pieces);
          await deps.jobs.recordChunk(job, chunk, pieces.length / SHA1_LENGTH);
          return {};
        } catch (err) {
          // On AWS a failed child shows up at the map only as "tolerated failure threshold
          // exceeded": the job record keeps the real cause.
          if (err instanceof ObjectChangedError) await deps.jobs.fail(job, { code: 'ObjectChanged', message: err.message });
          else await deps.jobs.noteError(job, `chunk ${chunk}: ${(err as Error).message}`).catch(() => undefined);
          throw err;
        }
      });
    },

    async assembleTorrent({ job, plan }) {
      return asWorkflowTask(async () => {
        if (isFolderJob(job)) {
          const infoHash = await folder().assembleTorrent(job, plan);
          await deps.jobs.succeed(job, infoHash);
          await cleanUp(job);
          deps.logger?.info('assembled folder', { jobId: job.jobId, attempt: job.attempt, infoHash });
          return { infoHash };
        }
        const name = torrentNameForKey(job.key);
        if (name === undefined) throw new ServiceError(422, 'InvalidTorrentName', `The key ${JSON.stringify(job.key)} has no file name.`);
        const parts = await mapInOrder(plan.chunkCount, CHUNK_READ_CONCURRENCY, async (chunk) => {
          const pieces = await deps.chunkResults.get(job.executionName, chunk);
          const expected = piecesInChunk(plan, chunk) * SHA1_LENGTH;
          if (pieces.length !== expected) throw new Error(`chunk ${chunk} has ${pieces.length} bytes of hashes, expected ${expected}`);
          return pieces;
        });
        // Storing a torrent drops the cache entries of the object's other identities: check the
        // object is still this one, so a late job never evicts the torrent of a newer upload.
        await currentHead(job);
        const { private: isPrivate = false } = optionsOfVariant(job.variant);
        const info = encodeInfoV1({
          name,
          length: job.size,
          pieceLength: plan.pieceLength,
          pieces: Buffer.concat(parts),
          private: isPrivate,
        });
        const infoHash = Buffer.from(infoHashV1(info)).toString('hex');
        // One publish writes the cache entry and the tracker registration together. A crash
        // after it and before the job is marked done leaves a served, announceable torrent (the
        // endpoint reads the cache before the job) and a job recorded as failed.
        await deps.publisher.publish(
          publicationOf(
            { bucket: job.bucket, key: job.key, identity: job.identity, variant: job.variant },
            { infoHash, info, size: job.size, pieceLength: plan.pieceLength, createdAt: clock() },
            name,
          ),
        );
        await deps.jobs.succeed(job, infoHash);
        await cleanUp(job);
        deps.logger?.info('assembled', { jobId: job.jobId, attempt: job.attempt, infoHash });
        return { infoHash };
      });
    },

    async recordFailure({ job, failure }) {
      return asWorkflowTask(async () => {
        const current = await deps.jobs.get(job.jobId);
        const reported = describeFailure(failure, current?.attempt === job.attempt ? current.lastError : undefined);
        await deps.jobs.fail(job, reported);
        await cleanUp(job);
        deps.logger?.warn('job failed', { jobId: job.jobId, attempt: job.attempt, failure: reported });
        return { Error: failure.Error, Cause: reported.message };
      });
    },
  };

  const cleanUp = async (job: JobRef) => {
    // Best effort: a lifecycle rule on jobs/ removes whatever is left.
    await deps.chunkResults.deleteAll(job.executionName).catch((err: unknown) => {
      deps.logger?.warn('could not delete chunk results', { jobId: job.jobId, error: err as Error });
    });
  };
  return tasks;
}

/** The object a job hashes, as the object store's pinned reads need it. */
export function headOf(job: JobRef): ObjectHead {
  return { bucket: job.bucket, key: job.key, size: job.size, etag: job.etag, versionId: job.versionId };
}

/**
 * The failure a job reports, from Step Functions' error and cause. Lambda errors arrive with a JSON
 * cause (`{"errorType","errorMessage",...}`), local ones with the message itself. A distributed
 * map reports only that its failure threshold was exceeded; the last chunk error says why.
 */
export function describeFailure(failure: TaskFailure, lastChunkError?: string): JobFailure {
  const message = causeMessage(failure.Cause) ?? failure.Error;
  switch (failure.Error) {
    case 'ObjectChangedError':
      return { code: 'ObjectChanged', message };
    case 'States.ExceedToleratedFailureThreshold':
      return { code: 'ChunkFailed', message: lastChunkError ?? message };
    case 'States.Timeout':
      return { code: 'Timeout', message: `A step of the hashing workflow timed out. ${lastChunkError ?? ''}`.trim() };
    case TRANSIENT_ERROR_NAME:
      return { code: 'RetriesExhausted', message };
    default:
      return { code: failure.Error.replace(/^(States|Lambda)\./, '').replace(/Error$/, '') || 'Failed', message };
  }
}

function causeMessage(cause: string | undefined): string | undefined {
  if (cause === undefined || cause.length === 0) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause is the message
  }
  return cause;
}

/**
 * Runs a task and shapes what it throws for the state machine: transient failures become
 * TransientError (retried), ServiceErrors are named by their code (`NoSuchKey`, `AccessDenied`...)
 * so the job reports it, ObjectChangedError keeps its name (never retried).
 */
async function asWorkflowTask<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ServiceError && !(err instanceof ObjectChangedError)) {
      const named = new Error(err.message, { cause: err });
      named.name = err.code;
      throw named;
    }
    throw forWorkflow(err);
  }
}

/** Calls `fn(0..count-1)` with bounded concurrency; results in index order. */
async function mapInOrder<T>(count: number, concurrency: number, fn: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await fn(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
