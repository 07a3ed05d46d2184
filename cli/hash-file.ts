import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { concatPieceHashes, TorrentPieceHasher, type PieceHashes, type TorrentFormat } from '../lambdas/core/build-info';
import { pieceAlignedRanges, type ByteRange } from '../lambdas/core/ranges';
import { FileChangedError, hashFileRange, READ_BYTES } from './file-ranges';

export interface WorkerSetup {
  readonly path: string;
  readonly pieceLength: number;
  readonly format: TorrentFormat;
}
export type ToWorker = (ByteRange & { readonly index: number }) | null;
export type FromWorker =
  | { readonly kind: 'progress'; readonly bytes: number }
  | { readonly kind: 'done'; readonly index: number; readonly v1?: Uint8Array; readonly v2?: Uint8Array }
  | { readonly kind: 'failed'; readonly message: string; readonly code?: string };

export interface FileHashOptions {
  readonly pieceLength: number;
  readonly format: TorrentFormat;
  readonly threads: number;
  /** Files smaller than this are hashed on the calling thread: starting workers would cost more. */
  readonly inlineBelowBytes?: number;
  readonly onProgress?: (bytesHashed: number) => void;
}

// From the sources a thread needs tsx first (hash-worker.cjs); in the bundle this file is the
// whole CLI, workers included (bundle-entry.ts).
const WORKER_ENTRY = __filename.endsWith('.ts') ? join(__dirname, 'hash-worker.cjs') : __filename;
const DEFAULT_INLINE_BELOW = 32 * 1024 * 1024;
const MIN_RANGE_BYTES = 4 * 1024 * 1024;
const MAX_RANGE_BYTES = 64 * 1024 * 1024;

/**
 * Piece hashes of a local file, hashed by `threads` worker threads. The file is cut into
 * piece-aligned ranges handed out one at a time (so a slow thread never holds up the rest), each
 * worker reads its ranges through one reused buffer, and the ranges' hashes concatenate in order.
 */
export async function hashFile(path: string, size: number, options: FileHashOptions): Promise<PieceHashes> {
  // Even one thread is a worker for a large file: the main thread stays free for signals and progress.
  if (size < (options.inlineBelowBytes ?? DEFAULT_INLINE_BELOW)) return hashFileInline(path, size, options);
  // About eight ranges per thread balances the tail; a range is at least one piece.
  const target = Math.min(MAX_RANGE_BYTES, Math.max(MIN_RANGE_BYTES, Math.floor(size / (options.threads * 8))));
  const ranges = pieceAlignedRanges(size, options.pieceLength, target);
  const results: PieceHashes[] = new Array(ranges.length);
  const setup: WorkerSetup = { path, pieceLength: options.pieceLength, format: options.format };
  const threadCount = Math.min(options.threads, ranges.length);
  const workers: Worker[] = [];
  let bytesHashed = 0;

  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let remaining = ranges.length;
      const dispatch = (worker: Worker) => {
        const range = ranges[next];
        worker.postMessage(range === undefined ? null : ({ ...range, index: next++ } satisfies ToWorker));
      };
      for (let i = 0; i < threadCount; i++) {
        const worker = new Worker(WORKER_ENTRY, { workerData: setup });
        workers.push(worker);
        worker.on('message', (message: FromWorker) => {
          if (message.kind === 'progress') {
            bytesHashed += message.bytes;
            options.onProgress?.(bytesHashed);
          } else if (message.kind === 'done') {
            results[message.index] = { v1: message.v1, v2: message.v2 };
            if (--remaining === 0) resolve();
            dispatch(worker);
          } else {
            reject(
              message.code === 'CHANGED' ? new FileChangedError(path) : Object.assign(new Error(message.message), { code: message.code }),
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
  return concatPieceHashes(results);
}

function hashFileInline(path: string, size: number, options: FileHashOptions): PieceHashes {
  const fd = openSync(path, 'r');
  try {
    let bytesHashed = 0;
    const hasher = new TorrentPieceHasher(options.pieceLength, options.format);
    return hashFileRange(fd, path, { start: 0, end: size }, hasher, Buffer.allocUnsafe(READ_BYTES), (bytes) => {
      bytesHashed += bytes;
      options.onProgress?.(bytesHashed);
    });
  } finally {
    closeSync(fd);
  }
}
