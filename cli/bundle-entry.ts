import { isMainThread } from 'node:worker_threads';
import { main } from './main';
import { runHashWorker } from './hash-worker';

// The entry of the bundled CLI (see bin/s3-torrent.cjs): one file for the command line and for its
// hashing threads, which start this same file.
if (!isMainThread) runHashWorker();

export { main };
