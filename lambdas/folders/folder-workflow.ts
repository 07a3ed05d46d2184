import { mapLimit } from '../core/map-limit';
import { joinRangeHashes, mergeObjectHashes, ObjectHashesHasher, type HashKind } from '../core/object-hashes';
import type { ChunkResultStore } from '../ports/chunk-results';
import type { FolderJobPlan, FolderJobPlans } from '../ports/folder-job-plans';
import type { JobRef, WorkflowInput } from '../ports/hashing-job';
import type { JobStore } from '../ports/job-store';
import type { ObjectHashStore } from '../ports/object-hash-store';
import type { ObjectStore } from '../ports/object-store';
import { readAndHash } from '../torrents/hash-object';
import type { FolderTorrentService } from './folder-service';
import { decodeSegmentHashes, encodeSegmentHashes, planFolderWork, type SegmentHashes } from './folder-job-plan';

/** What the workflow's steps need for folder jobs, besides what every job uses. */
export interface FolderWorkflowDeps {
  readonly plans: FolderJobPlans;
  readonly hashes: ObjectHashStore;
  /** Assembles the torrent of the job's listing from stored hashes (Assemble only). */
  readonly folders?: FolderTorrentService;
}

export interface FolderTaskDeps extends FolderWorkflowDeps {
  readonly store: ObjectStore;
  readonly jobs: JobStore;
  readonly chunkResults: ChunkResultStore;
  readonly minChunkBytes?: number;
  readonly rangeConcurrency: number;
  readonly rangeBytes: number;
}

/** The work plan of an execution, as "Plan chunks" returned it (the state's `plan`). */
export interface FolderPlanState {
  readonly size: number;
  readonly pieceLength: number;
  readonly pieceCount: number;
  readonly chunkBytes: number;
  readonly chunkCount: number;
}

const CHUNK_READS_IN_FLIGHT = 16;

/**
 * The hashing workflow's steps for a folder job, in the same state machine as large objects:
 * - Plan: freezes the job's plan for this execution and splits the objects to hash into work items;
 * - Hash chunk: hashes one item's ranges (pinned to the listed ETags) and writes their hashes;
 * - Assemble: joins each object's ranges into its hashes, stores them for every torrent that holds
 *   the object, and assembles the folder torrent of the job's listing from stored hashes.
 */
export function makeFolderTasks(deps: FolderTaskDeps) {
  const frozen = new Map<string, FolderJobPlan>();
  const planOf = async (job: JobRef): Promise<FolderJobPlan> => {
    const cached = frozen.get(job.executionName);
    if (cached) return cached;
    const plan = await deps.plans.get(job.executionName);
    if (plan === undefined) throw new Error(`folder job ${job.jobId} has no plan for ${job.executionName}`);
    if (frozen.size >= 64) frozen.clear(); // a warm function serves many executions: keep a few
    frozen.set(job.executionName, plan);
    return plan;
  };

  return {
    async planChunks({ job }: WorkflowInput): Promise<FolderPlanState & { items: number }> {
      const plan = await deps.plans.get(job.jobId);
      if (plan === undefined) throw new Error(`folder job ${job.jobId} has no plan`);
      await deps.plans.put(job.executionName, plan);
      const work = planFolderWork(plan, { minChunkBytes: deps.minChunkBytes });
      return {
        size: work.bytes,
        pieceLength: plan.pieceLength,
        pieceCount: Math.ceil(work.bytes / plan.pieceLength),
        chunkBytes: work.chunkBytes,
        chunkCount: work.items.length,
        items: work.items.length,
      };
    },

    /** Returns the bytes hashed. */
    async hashChunk(job: JobRef, state: FolderPlanState, chunk: number): Promise<number> {
      const plan = await planOf(job);
      const item = planFolderWork(plan, { chunkBytes: state.chunkBytes }).items[chunk];
      if (item === undefined) throw new Error(`folder job ${job.jobId} has no work item ${chunk}`);
      const kindsOf = new Map(plan.toHash.map((h) => [h.object, h.kinds]));
      const results: SegmentHashes[] = [];
      for (const segment of item) {
        const object = plan.objects[segment.object]!;
        const head = { bucket: plan.bucket, key: object.key, size: object.size, etag: object.etag };
        const parts = await mapLimit(splitRange(segment, plan.pieceLength, deps.rangeBytes), deps.rangeConcurrency, (range) =>
          readAndHash(
            (r) => deps.store.readRange(head, r),
            range,
            () => new ObjectHashesHasher(plan.pieceLength, kindsOf.get(segment.object) as HashKind[]),
          ),
        );
        const joined = parts.reduce((a, b) => ({
          v1: a.v1 && b.v1 && Buffer.concat([a.v1, b.v1]),
          v2: a.v2 && b.v2 && Buffer.concat([a.v2, b.v2]),
          v1PaddedTail: b.v1PaddedTail,
        }));
        results.push({ ...segment, ...joined });
      }
      await deps.chunkResults.put(job.executionName, chunk, encodeSegmentHashes(results));
      return item.reduce((n, s) => n + s.end - s.start, 0);
    },

    async assembleTorrent(job: JobRef, state: FolderPlanState): Promise<string> {
      const plan = await planOf(job);
      if (deps.folders === undefined) throw new Error('assembling a folder torrent needs the folder service');
      const segments = (
        await mapLimit(
          Array.from({ length: state.chunkCount }, (_, i) => i),
          CHUNK_READS_IN_FLIGHT,
          async (chunk) => decodeSegmentHashes(await deps.chunkResults.get(job.executionName, chunk)),
        )
      ).flat();
      const byObject = new Map<number, SegmentHashes[]>();
      for (const s of segments) byObject.set(s.object, [...(byObject.get(s.object) ?? []), s]);
      const hashed = [...byObject].map(([index, parts]) => {
        const object = plan.objects[index]!;
        const key = { bucket: plan.bucket, key: object.key, etag: object.etag, size: object.size, pieceLength: plan.pieceLength };
        return {
          key,
          hashes: joinRangeHashes(
            object.size,
            plan.pieceLength,
            parts.sort((a, b) => a.start - b.start),
          ),
        };
      });
      // Each record keeps the kinds it had (a v1 torrent stored v1; this job added v2) and gains the new ones.
      const stored = await deps.hashes.getMany(hashed.map((h) => h.key));
      await deps.hashes.putMany(
        hashed.map((h, i) => ({ key: h.key, hashes: stored[i] ? mergeObjectHashes(h.hashes, stored[i]) : h.hashes })),
      );
      const built = await deps.folders.assembleListing(plan.bucket, plan.prefix, plan.objects, plan.variant);
      return built.torrent.infoHash;
    },
  };
}

/** A segment cut into piece-aligned ranges of about `rangeBytes`, read in parallel. */
function splitRange(segment: { start: number; end: number }, pieceLength: number, rangeBytes: number) {
  const step = Math.max(1, Math.floor(rangeBytes / pieceLength)) * pieceLength;
  const ranges: { start: number; end: number }[] = [];
  for (let start = segment.start; start < segment.end; start += step) ranges.push({ start, end: Math.min(start + step, segment.end) });
  return ranges;
}
