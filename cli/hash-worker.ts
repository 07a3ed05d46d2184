import { closeSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { TorrentPieceHasher } from '../lambdas/core/build-info';
import { FileChangedError, hashFileRange, READ_BYTES } from './file-ranges';
import type { FromWorker, ToWorker, WorkerSetup } from './hash-file';

// One hashing thread: takes piece-aligned ranges of one file from the parent, one at a time, and
// answers each with its piece hashes. Progress is batched so messages stay rare next to the work.
const PROGRESS_EVERY_BYTES = 8 * 1024 * 1024;

export function runHashWorker(): void {
  const setup = workerData as WorkerSetup;
  const port = parentPort!;
  const post = (message: FromWorker) => port.postMessage(message);
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  let fd: number | undefined;
  let unreported = 0;

  port.on('message', (message: ToWorker) => {
    if (message === null) {
      if (fd !== undefined) closeSync(fd);
      port.close();
      return;
    }
    try {
      fd ??= openSync(setup.path, 'r');
      const hasher = new TorrentPieceHasher(setup.pieceLength, setup.format);
      const hashes = hashFileRange(fd, setup.path, message, hasher, buffer, (bytes) => {
        unreported += bytes;
        if (unreported >= PROGRESS_EVERY_BYTES) {
          post({ kind: 'progress', bytes: unreported });
          unreported = 0;
        }
      });
      post({ kind: 'progress', bytes: unreported });
      unreported = 0;
      post({ kind: 'done', index: message.index, v1: hashes.v1, v2: hashes.v2 });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      post({ kind: 'failed', message: e.message, code: err instanceof FileChangedError ? 'CHANGED' : e.code });
    }
  });
}
