/**
 * `npm run bench:hash`: how fast we make a torrent of a 2 GiB object, from a local file and from
 * local S3 (s3rver), through the hashing workflow's chunk code (piece-aligned chunks hashed by
 * worker threads, one per core, as chunk Lambdas would), against `mktorrent -t <cores>` on the same
 * file in the same run, and against the machine's raw SHA-1 speed (`openssl speed`).
 *
 *   npm run bench:hash -- [--size-mib 2048] [--chunk-mib 32] [--runs 5] [--no-s3] [--dir DIR]
 *
 * Chunks go to threads here, not to Lambdas: they are 32 MiB (the workflow's rule says at least
 * 256 MiB, to amortize a Lambda invocation), so the last chunk of one thread does not leave the
 * other core idle for long.
 * Everything it writes goes to a temporary directory (or DIR), deleted at the end.
 */
import { execFile } from 'node:child_process';
import { createReadStream, mkdtempSync, openSync, closeSync, writeSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { randomFillSync, createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../lambdas/adapters/s3-object-store';
import { bdecode, bencode, type BencodeValue } from '../lambdas/core/bencode';
import { planChunks, type ChunkPlan } from '../lambdas/core/chunk-plan';
import { encodeInfoV1, infoHashV1 } from '../lambdas/core/info-dict';
import { pieceLengthFor } from '../lambdas/core/piece-length';
import type { ObjectHead } from '../lambdas/ports/object-store';
import { createAwsClients } from '../lambdas/runtime/aws-clients';
import { LOCAL_CREDENTIALS } from '../local/s3';
import type { FromWorker, Source, ToWorker, WorkerSetup } from './chunk-worker';
import { FileObjectStore } from './file-object-store';
import { startS3Process } from './local-s3-process-client';
import { sampleRss } from './sample-rss';

const MiB = 1024 * 1024;
const run = promisify(execFile);

interface Measurement {
  readonly seconds: number;
  /** User + system CPU time spent on it. */
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly infoHash: string;
}

async function main(): Promise<void> {
  // The SDK's notice about its future Node 22 floor is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const { values } = parseArgs({
    options: {
      'size-mib': { type: 'string', default: '2048' },
      'chunk-mib': { type: 'string', default: '32' },
      runs: { type: 'string', default: '5' },
      'no-s3': { type: 'boolean', default: false },
      dir: { type: 'string' },
    },
  });
  const size = Number(values['size-mib']) * MiB;
  const runs = Math.max(1, Number(values.runs));
  const cores = availableParallelism();
  const pieceLength = pieceLengthFor(size);
  const plan = planChunks(size, pieceLength, { minChunkBytes: Number(values['chunk-mib']) * MiB });
  const dir = mkdtempSync(join(values.dir ?? tmpdir(), 's3-torrent-bench-'));
  const file = join(dir, 'bench.bin');
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  process.on('SIGINT', () => (cleanUp(), process.exit(130)));

  try {
    console.log(
      `s3-torrent bench:hash: ${fmtMiB(size)} object, ${fmtMiB(pieceLength)} pieces, ${plan.chunkCount} chunks of ${fmtMiB(plan.chunkBytes)}, ` +
        `${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), best of ${runs}`,
    );
    writeTestFile(file, size);
    const name = 'bench.bin';

    const sha1PerCore = await opensslSha1BytesPerSecond();
    const raw = sha1PerCore * cores;
    console.log(
      `raw SHA-1: ${fmtRate(sha1PerCore)} per core (openssl speed -evp sha1, 16 KiB blocks), ${fmtRate(raw)} on ${cores} cores\n`,
    );

    const mktorrent: Measurement[] = [];
    const ours: Measurement[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate, so load from other processes on the machine hits both alike.
      mktorrent.push(await timeMktorrent(file, dir, pieceLength, cores));
      ours.push(
        await hashWithWorkers({ kind: 'file', path: file }, await new FileObjectStore(file).head('local', name), plan, cores, name),
      );
    }
    const bestMk = best(mktorrent);
    const bestFile = best(ours);
    report(`mktorrent -t ${cores} (file)`, bestMk, size);
    report(`ours, file (${cores} worker threads)`, bestFile, size, bestMk, raw);
    const pairRatios = mktorrent.map((m, i) => m.seconds / ours[i]!.seconds);
    console.log(`  ratio of each run pair: ${pairRatios.map((r) => r.toFixed(2)).join(' ')} (median ${median(pairRatios).toFixed(2)})`);

    let bestS3: Measurement | undefined;
    if (!values['no-s3']) {
      const s3 = await startS3Process(join(dir, 's3'));
      try {
        const head = await uploadToS3(s3.endpoint, file, name);
        const s3Runs: Measurement[] = [];
        for (let i = 0; i < runs; i++) s3Runs.push(await hashWithWorkers({ kind: 's3', endpoint: s3.endpoint }, head, plan, cores, name));
        bestS3 = best(s3Runs);
        report(`ours, local S3 (s3rver, ${cores} workers)`, bestS3, size, bestMk, raw);
      } finally {
        await s3.stop();
      }
    }

    console.log(
      '\n(time from the first chunk handed out to the info dict; starting the worker threads, the analogue of a Lambda cold start, is not counted.\n' +
        ' peak RSS is this whole process, main thread and workers; local S3 runs in a process of its own, whose CPU is not counted.)',
    );
    const same = [bestMk, bestFile, ...(bestS3 ? [bestS3] : [])].every((m) => m.infoHash === bestMk.infoHash);
    console.log(`\ninfohash ${bestFile.infoHash}: ${same ? "ours equals mktorrent's" : "MISMATCH with mktorrent's " + bestMk.infoHash}`);
    const ratio = bestMk.seconds / bestFile.seconds;
    console.log(`target: file-source ratio against mktorrent >= 1.0: ${ratio.toFixed(2)} ${ratio >= 1 ? '(met)' : '(NOT met)'}`);
    if (!same) process.exitCode = 1;
  } finally {
    cleanUp();
  }
}

/** Pseudo-random bytes (no two pieces alike), written in 64 MiB blocks. */
function writeTestFile(path: string, size: number): void {
  const block = Buffer.alloc(64 * MiB);
  randomFillSync(block);
  const fd = openSync(path, 'w');
  try {
    for (let at = 0, n = 0; at < size; at += block.length, n++) {
      block.writeUInt32LE(n, 0);
      writeSync(fd, block, 0, Math.min(block.length, size - at));
    }
  } finally {
    closeSync(fd);
  }
}

async function opensslSha1BytesPerSecond(): Promise<number> {
  const { stdout } = await run('openssl', ['speed', '-evp', 'sha1', '-bytes', '16384', '-seconds', '3'], { maxBuffer: 1 << 20 });
  // "sha1  1868033.82k": thousands of bytes per second for the one block size asked for.
  const match = /^sha1\s+([\d.]+)k\s*$/m.exec(stdout);
  if (!match) throw new Error(`cannot read openssl speed output:\n${stdout}`);
  return Number(match[1]) * 1000;
}

async function timeMktorrent(file: string, dir: string, pieceLength: number, cores: number): Promise<Measurement> {
  const out = join(dir, 'mktorrent.torrent');
  rmSync(out, { force: true });
  // GNU time: wall seconds and peak RSS (KiB) of mktorrent itself.
  const { stderr } = await run(
    '/usr/bin/time',
    ['-f', 'TIME %e %M %U %S', 'mktorrent', '-t', String(cores), '-l', String(Math.log2(pieceLength)), '-o', out, file],
    {
      maxBuffer: 1 << 20,
    },
  );
  const match = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
  if (!match) throw new Error(`cannot read the time of mktorrent:\n${stderr}`);
  const torrent = bdecode(readFileSync(out)) as Record<string, BencodeValue>;
  const infoHash = createHash('sha1')
    .update(bencode(torrent.info as BencodeValue))
    .digest('hex');
  return { seconds: Number(match[1]), cpuSeconds: Number(match[3]) + Number(match[4]), peakRssBytes: Number(match[2]) * 1024, infoHash };
}

/**
 * Hashes every chunk of the plan on `workers` threads (each pulling the next chunk when done), then
 * assembles the info dict. The clock starts once the workers are up: starting a thread and
 * compiling the TypeScript sources in it (tsx) is the analogue of a Lambda cold start, not hashing.
 */
async function hashWithWorkers(source: Source, head: ObjectHead, plan: ChunkPlan, workers: number, name: string): Promise<Measurement> {
  // A file is read one range at a time per thread (reads are cheap, hashing is the work); S3 with
  // parallel ranged GETs, as the chunk Lambda does, to hide each request's latency.
  const setup: WorkerSetup =
    source.kind === 'file'
      ? { source, head, plan, rangeConcurrency: 1, rangeBytes: 64 * MiB }
      : { source, head, plan, rangeConcurrency: 4, rangeBytes: 8 * MiB };
  const peak = sampleRss();
  const results: Uint8Array[] = new Array(plan.chunkCount);
  let next = 0;
  const pool = await Promise.all(
    Array.from({ length: Math.min(workers, plan.chunkCount) }, async () => {
      // tsx's CommonJS hook inside the worker, so it can load the TypeScript sources.
      const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(join(__dirname, 'chunk-worker.ts'))});`, {
        eval: true,
        workerData: setup,
      });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      return worker;
    }),
  );
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    pool.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const give = () => worker.postMessage((next < plan.chunkCount ? { chunk: next++ } : { done: true }) satisfies ToWorker);
          worker.on('message', (m: FromWorker) => {
            if ('chunk' in m) results[m.chunk] = m.pieces;
            give();
          });
          worker.on('error', reject);
          worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
          give();
        }),
    ),
  );
  const info = encodeInfoV1({ name, length: head.size, pieceLength: plan.pieceLength, pieces: Buffer.concat(results) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssBytes: peak.stop(),
    infoHash: Buffer.from(infoHashV1(info)).toString('hex'),
  };
}

async function uploadToS3(endpoint: string, file: string, key: string): Promise<ObjectHead> {
  const { s3 } = createAwsClients({ s3Endpoint: endpoint, credentials: LOCAL_CREDENTIALS, region: 'us-east-1' });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const started = Date.now();
    const size = (await new FileObjectStore(file).head('local', key)).size;
    await s3.send(
      new PutObjectCommand({ Bucket: 'bench', Key: key, Body: createReadStream(file, { highWaterMark: 4 * MiB }), ContentLength: size }),
    );
    console.log(`(uploaded ${fmtMiB(size)} to local S3 in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return await new S3ObjectStore(s3).head('bench', key);
  } finally {
    s3.destroy();
  }
}

function report(label: string, m: Measurement, size: number, baseline?: Measurement, raw?: number): void {
  const rate = size / m.seconds;
  const ratios =
    baseline && raw ? `   ratio vs mktorrent ${(baseline.seconds / m.seconds).toFixed(2)}, vs raw SHA-1 ${(rate / raw).toFixed(2)}` : '';
  console.log(
    `${label.padEnd(40)} ${m.seconds.toFixed(2).padStart(6)} s  ${fmtRate(rate).padStart(10)}  CPU ${m.cpuSeconds.toFixed(2).padStart(5)} s  peak RSS ${fmtMiB(m.peakRssBytes).padStart(9)}${ratios}`,
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const best = (ms: Measurement[]) => ms.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const fmtRate = (bytesPerSecond: number) => `${(bytesPerSecond / 1e6).toFixed(0)} MB/s`;
const fmtMiB = (bytes: number) => (bytes < MiB ? `${bytes / 1024} KiB` : `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB`);

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
