import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { ObjectHashesHasher } from '../lambdas/core/object-hashes';
import { feedFileRange, feedZeros, FileChangedError, OpenFiles, READ_BYTES } from './file-ranges';
import type { FromWorker, ToWorker, WorkerSetup } from './hash-file';

// One hashing thread: takes tasks (piece-aligned ranges of one file, or of files end to end) from
// the parent, one at a time, and answers each with its piece hashes. Progress is batched so
// messages stay rare next to the work.
const PROGRESS_EVERY_BYTES = 8 * 1024 * 1024;

export function runHashWorker(): void {
  const setup = workerData as WorkerSetup;
  const port = parentPort!;
  const post = (message: FromWorker) => port.postMessage(message);
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  const files = new OpenFiles((path) => openSync(path, 'r'), closeSync);
  let unreported = 0;

  port.on('message', (message: ToWorker) => {
    if (message === null) {
      files.closeAll();
      port.close();
      return;
    }
    try {
      const hasher = new ObjectHashesHasher(setup.pieceLength, setup.kinds);
      const onBytes = (bytes: number) => {
        unreported += bytes;
        if (unreported >= PROGRESS_EVERY_BYTES) {
          post({ kind: 'progress', bytes: unreported });
          unreported = 0;
        }
      };
      for (const segment of message.segments) {
        if (segment.path === undefined) feedZeros(segment.end - segment.start, hasher, buffer);
        else feedFileRange(files.fd(segment.path), segment.path, segment, hasher, buffer, onBytes);
      }
      post({ kind: 'progress', bytes: unreported });
      unreported = 0;
      post({ kind: 'done', index: message.index, hashes: hasher.digest() });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      post({
        kind: 'failed',
        message: e.message,
        code: err instanceof FileChangedError ? 'CHANGED' : e.code,
        path: (err as { path?: string }).path,
      });
    }
  });
}
