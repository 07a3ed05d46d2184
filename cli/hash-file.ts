import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { concatPieceHashes, type PieceHashes, type TorrentFormat } from '../lambdas/core/build-info';
import { hashKindsOf, joinRangeHashes, ObjectHashesHasher, type HashKind, type ObjectHashes } from '../lambdas/core/object-hashes';
import { pieceAlignedRanges } from '../lambdas/core/ranges';
import { feedFileRange, feedZeros, FileChangedError, OpenFiles, READ_BYTES, type Segment } from './file-ranges';

/** The hashes of one task: what ObjectHashesHasher gives for the bytes of its segments. */
export type TaskHashes = Omit<ObjectHashes, 'size' | 'pieceLength'>;

/** One hashing task: segments fed, in order, to one hasher; it starts on a piece boundary. */
export interface HashTask {
  readonly segments: readonly Segment[];
}

export interface WorkerSetup {
  readonly pieceLength: number;
  readonly kinds: readonly HashKind[];
}
export type ToWorker = (HashTask & { readonly index: number }) | null;
export type FromWorker =
  | { readonly kind: 'progress'; readonly bytes: number }
  | { readonly kind: 'done'; readonly index: number; readonly hashes: TaskHashes }
  | { readonly kind: 'failed'; readonly message: string; readonly code?: string; readonly path?: string };

export interface TaskHashOptions {
  readonly pieceLength: number;
  readonly kinds: readonly HashKind[];
  readonly threads: number;
  /** Inputs smaller than this are hashed on the calling thread: starting workers would cost more. */
  readonly inlineBelowBytes?: number;
  readonly onProgress?: (bytesHashed: number) => void;
}

export interface FileHashOptions extends Omit<TaskHashOptions, 'kinds'> {
  readonly format: TorrentFormat;
}

// From the sources a thread needs tsx first (hash-worker.cjs); in the bundle this file is the
// whole CLI, workers included (bundle-entry.ts).
const WORKER_ENTRY = __filename.endsWith('.ts') ? join(__dirname, 'hash-worker.cjs') : __filename;
const DEFAULT_INLINE_BELOW = 32 * 1024 * 1024;
const MIN_RANGE_BYTES = 4 * 1024 * 1024;
const MAX_RANGE_BYTES = 64 * 1024 * 1024;

/** Bytes per task for `totalBytes` on `threads` threads: about eight tasks per thread balances the tail. */
export function taskBytesFor(totalBytes: number, threads: number): number {
  return Math.min(MAX_RANGE_BYTES, Math.max(MIN_RANGE_BYTES, Math.floor(totalBytes / (threads * 8))));
}

/** Piece hashes of a local file, in piece-aligned ranges spread over worker threads. */
export async function hashFile(path: string, size: number, options: FileHashOptions): Promise<PieceHashes> {
  const ranges = pieceAlignedRanges(size, options.pieceLength, taskBytesFor(size, options.threads));
  const parts = await hashTasks(
    ranges.map((range) => ({ segments: [{ path, ...range }] })),
    { ...options, kinds: hashKindsOf(options.format) },
  );
  return concatPieceHashes(parts);
}

/** The hashes of local files, each on its own (every file starting a piece): what a BEP 47 folder torrent is made of. */
export async function hashFiles(files: readonly { path: string; size: number }[], options: TaskHashOptions): Promise<ObjectHashes[]> {
  const total = files.reduce((n, f) => n + f.size, 0);
  const rangesOf = files.map((f) => pieceAlignedRanges(f.size, options.pieceLength, taskBytesFor(total, options.threads)));
  const parts = await hashTasks(
    files.flatMap((f, i) => (rangesOf[i] ?? []).map((range) => ({ segments: [{ path: f.path, ...range }] }))),
    options,
  );
  let at = 0;
  return files.map((f, i) => {
    const count = (rangesOf[i] ?? []).length;
    const mine = parts.slice(at, (at += count));
    return count === 0 ? { size: 0, pieceLength: options.pieceLength } : joinRangeHashes(f.size, options.pieceLength, mine);
  });
}

/**
 * Hashes tasks on `threads` worker threads, handed out one at a time (so a slow thread never holds
 * up the rest); each worker reads through one reused buffer. Results in task order.
 */
export async function hashTasks(tasks: readonly HashTask[], options: TaskHashOptions): Promise<TaskHashes[]> {
  const total = tasks.reduce((n, t) => n + t.segments.reduce((m, s) => m + s.end - s.start, 0), 0);
  // Even one thread is a worker for a large input: the main thread stays free for signals and progress.
  if (total < (options.inlineBelowBytes ?? DEFAULT_INLINE_BELOW)) return hashTasksInline(tasks, options);
  const results: TaskHashes[] = new Array(tasks.length);
  const setup: WorkerSetup = { pieceLength: options.pieceLength, kinds: options.kinds };
  const threadCount = Math.max(1, Math.min(options.threads, tasks.length));
  const workers: Worker[] = [];
  let bytesHashed = 0;

  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let remaining = tasks.length;
      if (remaining === 0) resolve();
      const dispatch = (worker: Worker) => {
        const task = tasks[next];
        worker.postMessage(task === undefined ? null : ({ segments: task.segments, index: next++ } satisfies ToWorker));
      };
      for (let i = 0; i < threadCount && tasks.length > 0; i++) {
        const worker = new Worker(WORKER_ENTRY, { workerData: setup });
        workers.push(worker);
        worker.on('message', (message: FromWorker) => {
          if (message.kind === 'progress') {
            bytesHashed += message.bytes;
            options.onProgress?.(bytesHashed);
          } else if (message.kind === 'done') {
            results[message.index] = message.hashes;
            if (--remaining === 0) resolve();
            dispatch(worker);
          } else {
            reject(
              message.code === 'CHANGED'
                ? new FileChangedError(message.path ?? 'a file')
                : Object.assign(new Error(message.message), { code: message.code }),
            );
          }
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0) reject(new Error(`a hashing thread stopped with exit code ${code}`));
        });
        dispatch(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

function hashTasksInline(tasks: readonly HashTask[], options: TaskHashOptions): TaskHashes[] {
  const files = new OpenFiles((path) => openSync(path, 'r'), closeSync);
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  let bytesHashed = 0;
  const onBytes = (bytes: number) => {
    bytesHashed += bytes;
    options.onProgress?.(bytesHashed);
  };
  try {
    return tasks.map((task) => {
      const hasher = new ObjectHashesHasher(options.pieceLength, options.kinds);
      for (const segment of task.segments) {
        if (segment.path === undefined) feedZeros(segment.end - segment.start, hasher, buffer);
        else feedFileRange(files.fd(segment.path), segment.path, segment, hasher, buffer, onBytes);
      }
      return hasher.digest();
    });
  } finally {
    files.closeAll();
  }
}
