/**
 * A benchmark worker thread: hashes the chunks the main thread hands it, through the workflow's
 * chunk hashing code (hashObjectPieces, pinned ranged reads), from a file or from local S3.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { chunkRange, type ChunkPlan } from '../lambdas/core/chunk-plan';
import type { ObjectHead, ObjectStore } from '../lambdas/ports/object-store';
import { hashObjectPieces } from '../lambdas/torrents/hash-object';
import { FileObjectStore } from './file-object-store';

export type Source = { readonly kind: 'file'; readonly path: string } | { readonly kind: 's3'; readonly endpoint: string };

export interface WorkerSetup {
  readonly source: Source;
  readonly head: ObjectHead;
  readonly plan: ChunkPlan;
  readonly rangeConcurrency: number;
  readonly rangeBytes: number;
}

export type ToWorker = { readonly chunk: number } | { readonly done: true };
export type FromWorker = { readonly ready: true } | { readonly chunk: number; readonly pieces: Uint8Array };

const setup = workerData as WorkerSetup;

/** The SDK loads only for the S3 source: a file-source worker starts without it. */
function s3Store(endpoint: string): ObjectStore {
  const { S3ObjectStore } = require('../lambdas/adapters/s3-object-store') as typeof import('../lambdas/adapters/s3-object-store');
  const { createAwsClients } = require('../lambdas/runtime/aws-clients') as typeof import('../lambdas/runtime/aws-clients');
  const { LOCAL_CREDENTIALS } = require('../local/s3') as typeof import('../local/s3');
  return new S3ObjectStore(createAwsClients({ s3Endpoint: endpoint, credentials: LOCAL_CREDENTIALS, region: 'us-east-1' }).s3);
}
const store: ObjectStore = setup.source.kind === 'file' ? new FileObjectStore(setup.source.path) : s3Store(setup.source.endpoint);

parentPort!.on('message', (message: ToWorker) => {
  if ('done' in message) return process.exit(0);
  hashObjectPieces(store, setup.head, setup.plan.pieceLength, chunkRange(setup.plan, message.chunk), {
    concurrency: setup.rangeConcurrency,
    rangeBytes: setup.rangeBytes,
  }).then(
    (pieces) => parentPort!.postMessage({ chunk: message.chunk, pieces } satisfies FromWorker),
    (err: unknown) => {
      throw err;
    },
  );
});
parentPort!.postMessage({ ready: true } satisfies FromWorker);
