/**
 * `npm run bench:folder`: the torrent of a folder of 1,000 objects, 2 GiB in all, on the local S3
 * (s3rver, in a process of its own), built by the folder service as the endpoint builds it, against
 * `mktorrent -t <cores>` on the same directory in the same run; then one object is overwritten and
 * the torrent rebuilt, which should read that object alone.
 *
 *   npm run bench:folder -- [--files 1000] [--total-mib 2048] [--runs 3] [--dir DIR]
 *
 * Each run starts from an empty torrent table (no stored hashes), so its first build hashes the
 * whole folder. Figures per run: wall time, bytes read from S3, peak RSS of this process (the local
 * S3 and DynamoDB Local run in processes of their own), and the ratios. Everything it writes goes
 * to a temporary directory (or DIR), deleted at the end.
 */
import { execFile } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { randomFillSync } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDbObjectHashStore } from '../lambdas/adapters/dynamodb-object-hash-store';
import { DynamoDbTorrentCache } from '../lambdas/adapters/dynamodb-torrent-cache';
import { DynamoDbBuildLeases } from '../lambdas/adapters/dynamodb-build-leases';
import { DynamoDbTorrentPublisher } from '../lambdas/adapters/dynamodb-torrent-publisher';
import { S3ObjectListing } from '../lambdas/adapters/s3-object-listing';
import { S3ObjectStore } from '../lambdas/adapters/s3-object-store';
import { SWARM_TABLE_SCHEMA, TORRENT_TABLE_SCHEMA } from '../lambdas/config/tables';
import { mapLimit } from '../lambdas/core/map-limit';
import type { ByteRange } from '../lambdas/core/ranges';
import { FolderTorrentService, type FolderOutcome, type FolderTorrent } from '../lambdas/folders/folder-service';
import type { ListedObject, ObjectListing } from '../lambdas/ports/object-listing';
import type { ObjectHead, ObjectStore, PresignOptions } from '../lambdas/ports/object-store';
import { createAwsClients } from '../lambdas/runtime/aws-clients';
import { startDynamoDbLocal } from '../local/dynamodb';
import { LOCAL_CREDENTIALS } from '../local/s3';
import { ensureTable } from '../local/tables';
import { startS3Process } from './local-s3-process-client';
import { sampleRss } from './sample-rss';

const MiB = 1024 * 1024;
const run = promisify(execFile);
const BUCKET = 'bench-folder';
const PREFIX = 'release/';

interface Build {
  readonly seconds: number;
  readonly bytesRead: number;
  readonly peakRssBytes: number;
  readonly files: number;
}

interface RunResult {
  readonly readOnlySeconds: number;
  readonly mktorrentSeconds: number;
  readonly mktorrentPeakRss: number;
  readonly first: Build;
  readonly rebuild: Build;
  readonly changedBytes: number;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '1000' },
      'total-mib': { type: 'string', default: '2048' },
      runs: { type: 'string', default: '3' },
      dir: { type: 'string' },
    },
  });
  const count = Number(values.files);
  const total = Number(values['total-mib']) * MiB;
  const runs = Math.max(1, Number(values.runs));
  const cores = availableParallelism();
  const dir = mkdtempSync(join(values.dir ?? tmpdir(), 's3-torrent-bench-folder-'));
  const folder = join(dir, 'release');
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  process.on('SIGINT', () => (cleanUp(), process.exit(130)));
  const stops: (() => Promise<void>)[] = [];
  try {
    const sizes = sizesSummingTo(count, total);
    const paths = sizes.map((_, i) => `d${String(i % 20).padStart(2, '0')}/file-${String(i).padStart(4, '0')}.bin`);
    writeFolder(folder, paths, sizes);
    console.log(
      `s3-torrent bench:folder: ${count} objects, ${fmtMiB(total)} (${fmtMiB(Math.min(...sizes))} to ${fmtMiB(Math.max(...sizes))} each), ` +
        `${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${runs} runs; the machine is shared, expect noise`,
    );

    const s3 = await startS3Process(join(dir, 's3'));
    stops.push(() => s3.stop());
    const dynamo = await startDynamoDbLocal();
    stops.push(() => dynamo.stop());
    const clients = createAwsClients({
      s3Endpoint: s3.endpoint,
      dynamoDbEndpoint: dynamo.endpoint,
      credentials: LOCAL_CREDENTIALS,
      region: 'us-east-1',
    });
    stops.push(async () => {
      clients.s3.destroy();
      clients.dynamoDb.destroy();
    });
    await clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await clients.s3.send(new CreateBucketCommand({ Bucket: 'bench-metadata' }));
    const uploadStarted = Date.now();
    await mapLimit(paths, 8, (path, i) =>
      clients.s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `${PREFIX}${path}`,
          Body: createReadStream(join(folder, path)),
          ContentLength: sizes[i],
        }),
      ),
    );
    console.log(`(uploaded to the local S3 in ${((Date.now() - uploadStarted) / 1000).toFixed(1)} s)\n`);

    const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
    stops.push(async () => raw.destroy());
    await ensureTable(raw, 'bench-swarm', SWARM_TABLE_SCHEMA);
    const results: RunResult[] = [];
    for (let r = 0; r < runs; r++) {
      // A fresh table per run: no stored hashes, so the first build reads everything.
      const table = `bench-torrents-${r}`;
      await ensureTable(raw, table, TORRENT_TABLE_SCHEMA);
      const store = new CountingObjectStore(new S3ObjectStore(clients.s3));
      const cache = new DynamoDbTorrentCache(clients.dynamoDb, table, clients.s3, 'bench-metadata');
      const service = new FolderTorrentService({
        listing: new S3ObjectListing(clients.s3),
        store,
        hashes: new DynamoDbObjectHashStore(clients.dynamoDb, table, clients.s3, 'bench-metadata'),
        cache,
        publisher: new DynamoDbTorrentPublisher(clients.dynamoDb, cache, 'bench-swarm'),
        leases: new DynamoDbBuildLeases(clients.dynamoDb, table),
        inlineHashLimit: Number.MAX_SAFE_INTEGER,
      });
      const readOnly = await timeReadOnly(new S3ObjectListing(clients.s3), new S3ObjectStore(clients.s3));
      const first = await measure(store, () => service.torrentFor(BUCKET, PREFIX));
      const mk = await timeMktorrent(folder, dir, first.pieceLength, cores);

      // One object of the thousand changes: new bytes, same size.
      const changed = Math.floor(count / 2) + r;
      const bytes = Buffer.alloc(sizes[changed] as number);
      randomFillSync(bytes);
      await clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${paths[changed]}`, Body: bytes }));
      const rebuild = await measure(store, () => service.torrentFor(BUCKET, PREFIX));
      if (rebuild.infoHash === first.infoHash) throw new Error('the rebuilt torrent did not change');
      const result = {
        readOnlySeconds: readOnly,
        mktorrentSeconds: mk.seconds,
        mktorrentPeakRss: mk.peakRssBytes,
        first,
        rebuild,
        changedBytes: bytes.length,
      };
      results.push(result);
      console.log(
        `run ${r + 1}: mktorrent -t ${cores} ${mk.seconds.toFixed(2)} s; reading the folder from the local S3 without hashing ${readOnly.toFixed(2)} s; ` +
          `first build ${first.seconds.toFixed(2)} s, read ${fmtMiB(first.bytesRead)} ` +
          `(${(first.seconds / mk.seconds).toFixed(1)}× mktorrent, ${(first.seconds / readOnly).toFixed(2)}× the read alone); one object changed (${fmtMiB(bytes.length)}): rebuild ${rebuild.seconds.toFixed(2)} s, ` +
          `read ${fmtMiB(rebuild.bytesRead)} (${(rebuild.seconds / first.seconds).toFixed(3)} of the first build); peak RSS ${fmtMiB(Math.max(first.peakRssBytes, rebuild.peakRssBytes))}`,
      );
    }

    const range = (xs: number[], digits = 2) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
    console.log('\nover the runs (min–max):');
    console.log(
      `  mktorrent -t ${cores} on the directory       ${range(results.map((x) => x.mktorrentSeconds))} s, peak RSS ${range(
        results.map((x) => x.mktorrentPeakRss / MiB),
        1,
      )} MiB`,
    );
    console.log(`  reading the folder from S3, no hashing   ${range(results.map((x) => x.readOnlySeconds))} s`);
    console.log(
      `  first build (everything read from S3)   ${range(results.map((x) => x.first.seconds))} s, ${fmtMiB(results[0]!.first.bytesRead)} read`,
    );
    console.log(`  ratio, first build / mktorrent          ${range(results.map((x) => x.first.seconds / x.mktorrentSeconds))}`);
    console.log(`  ratio, first build / reading alone      ${range(results.map((x) => x.first.seconds / x.readOnlySeconds))}`);
    console.log(
      `  rebuild after one change                ${range(results.map((x) => x.rebuild.seconds))} s, ` +
        `bytes read ${range(
          results.map((x) => x.rebuild.bytesRead / MiB),
          2,
        )} MiB (the changed object: ${range(
          results.map((x) => x.changedBytes / MiB),
          2,
        )} MiB)`,
    );
    console.log(
      `  rebuild / first build                   ${range(
        results.map((x) => x.rebuild.seconds / x.first.seconds),
        3,
      )}`,
    );
    console.log(
      `  peak RSS of the build (this process)    ${range(
        results.map((x) => Math.max(x.first.peakRssBytes, x.rebuild.peakRssBytes) / MiB),
        0,
      )} MiB`,
    );
    const exact = results.every((x) => x.rebuild.bytesRead === x.changedBytes);
    console.log(`\ngoal: a rebuild reads only the changed object: ${exact ? 'met' : 'NOT met'}`);
    if (!exact) process.exitCode = 1;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    cleanUp();
  }
}

/** Sizes around `total / count` (from half to one and a half times it), deterministic, adding up to `total` exactly. */
function sizesSummingTo(count: number, total: number): number[] {
  const mean = total / count;
  const sizes = Array.from({ length: count }, (_, i) => Math.floor(mean * (0.5 + ((i * 7919) % 1000) / 1000)));
  const sum = sizes.reduce((a, b) => a + b, 0);
  sizes[count - 1] = (sizes[count - 1] as number) + (total - sum);
  return sizes;
}

function writeFolder(root: string, paths: readonly string[], sizes: readonly number[]): void {
  const block = Buffer.alloc(Math.max(...sizes));
  paths.forEach((path, i) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    randomFillSync(block, 0, sizes[i]);
    writeFileSync(join(root, path), block.subarray(0, sizes[i]));
  });
}

async function measure(
  store: CountingObjectStore,
  build: () => Promise<FolderOutcome>,
): Promise<Build & { infoHash: string; pieceLength: number }> {
  const peak = sampleRss();
  const before = store.bytesRead;
  const started = process.hrtime.bigint();
  const outcome = await build();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!('torrent' in outcome)) throw new Error('the bench builds in the request, not through the workflow or another request');
  const torrent: FolderTorrent = outcome;
  return {
    seconds,
    bytesRead: store.bytesRead - before,
    peakRssBytes: peak.stop(),
    files: torrent.fileCount,
    infoHash: torrent.torrent.infoHash,
    pieceLength: torrent.torrent.pieceLength,
  };
}

async function timeMktorrent(folder: string, dir: string, pieceLength: number, cores: number) {
  const out = join(dir, 'mktorrent.torrent');
  rmSync(out, { force: true });
  const { stderr } = await run(
    '/usr/bin/time',
    ['-f', 'TIME %e %M', 'mktorrent', '-t', String(cores), '-l', String(Math.log2(pieceLength)), '-o', out, folder],
    { maxBuffer: 1 << 20 },
  );
  const match = /TIME ([\d.]+) (\d+)/.exec(stderr);
  if (!match) throw new Error(`cannot read the time of mktorrent:\n${stderr}`);
  return { seconds: Number(match[1]), peakRssBytes: Number(match[2]) * 1024 };
}

/**
 * The floor under any build from S3: the folder listed and every object read through the same
 * store, with as many reads in flight and as large ranges as the build uses, and nothing hashed.
 */
async function timeReadOnly(listing: ObjectListing, store: ObjectStore): Promise<number> {
  const RANGE = 16 * MiB;
  const started = process.hrtime.bigint();
  const objects: ListedObject[] = [];
  for await (const page of listing.list(BUCKET, PREFIX)) objects.push(...page);
  const ranges = objects.flatMap((o) =>
    Array.from({ length: Math.ceil(o.size / RANGE) }, (_, j) => ({
      head: { bucket: BUCKET, key: o.key, size: o.size, etag: o.etag },
      range: { start: j * RANGE, end: Math.min(o.size, (j + 1) * RANGE) },
    })),
  );
  await mapLimit(ranges, 8, async ({ head, range }) => {
    for await (const chunk of store.readRange(head, range)) void chunk;
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The S3 object store, counting the bytes its reads return. */
class CountingObjectStore implements ObjectStore {
  bytesRead = 0;
  constructor(private readonly inner: ObjectStore) {}
  head(bucket: string, key: string) {
    return this.inner.head(bucket, key);
  }
  async *readRange(head: ObjectHead, range: ByteRange): AsyncIterable<Uint8Array> {
    for await (const chunk of this.inner.readRange(head, range)) {
      this.bytesRead += chunk.length;
      yield chunk;
    }
  }
  presignGet(bucket: string, key: string, options: PresignOptions) {
    return this.inner.presignGet(bucket, key, options);
  }
}

const fmtMiB = (bytes: number) => `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 2)} MiB`;

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
