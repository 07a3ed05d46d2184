/**
 * `npm run bench:tracker`: announces per second and p50/p99 latency of the local tracker (the
 * `npm start` stack: HTTP API stand-in, tracker handler, DynamoDB Local) under a bounded load on
 * 127.0.0.1, beside the same load against Debian's opentracker (whitelist mode) when installed.
 * A benchmark, not a test: it prints numbers and asserts nothing about them.
 *
 * Options (environment): BENCH_ANNOUNCES (default 4000), BENCH_CONCURRENCY (16), BENCH_TORRENTS (5),
 * BENCH_PEERS (2000; more per torrent than one announce reads, so sampling is exercised).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamoDbClient } from '../lambdas/runtime/aws-clients';
import { DEFAULT_NAMES } from '../local/local-service';
import { freePort, waitFor } from '../local/ports';
import { LOCAL_CREDENTIALS } from '../local/s3';
import { registerTorrents } from '../test/support/swarm';
import { announceQuery, decodeAnnounce } from '../test/support/tracker-client';

const ANNOUNCES = positive('BENCH_ANNOUNCES', 4000);
const CONCURRENCY = positive('BENCH_CONCURRENCY', 16);
const TORRENTS = positive('BENCH_TORRENTS', 5);
const PEERS = positive('BENCH_PEERS', 2000);
/** Announces before measuring: connections, JIT and DynamoDB Local's first queries. */
const WARMUP = Math.min(300, ANNOUNCES);
const ROOT = join(__dirname, '..');

interface Result {
  readonly name: string;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
  readonly sample?: string;
}

/** A deterministic load: the same announces, in the same order, against every tracker. */
function workload(count: number, seed: number): string[] {
  let x = seed;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const seen = new Set<number>();
  return Array.from({ length: count }, () => {
    const peer = Math.floor(next() * PEERS);
    const peerId = Buffer.from(`-BN0001-${String(peer).padStart(12, '0')}`);
    const first = !seen.has(peer);
    seen.add(peer);
    return announceQuery({
      infoHash: infoHashes[peer % TORRENTS]!,
      peerId,
      port: 10_000 + (peer % 50_000),
      left: peer % 3 === 0 ? 0 : 1_000_000,
      event: first ? 'started' : '',
      numwant: 50,
      key: peerId.subarray(12).toString('hex'),
    });
  });
}

const infoHashes = Array.from({ length: TORRENTS }, (_, i) => {
  const h = Buffer.alloc(20);
  h.write(`bench-torrent-${i}`);
  return h;
});

/** Runs `queries` against `/announce` with a fixed number in flight; one connection per announce, as clients do. */
async function load(name: string, baseUrl: string, queries: readonly string[]): Promise<Result> {
  const announce = (query: string) =>
    new Promise<{ ms: number; failure?: string }>((resolve) => {
      const started = process.hrtime.bigint();
      // agent: false, a fresh connection each time: an Agent hands queued requests a used socket,
      // which opentracker has already closed ("socket hang up").
      const req = request(`${baseUrl}/announce?${query}`, { agent: false, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          try {
            const answer = decodeAnnounce(Buffer.concat(chunks));
            resolve({ ms, failure: res.statusCode !== 200 ? `HTTP ${res.statusCode}` : answer.failure });
          } catch (err) {
            resolve({ ms, failure: `undecodable answer: ${(err as Error).message}` });
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, failure: err.message }));
      req.end();
    });
  const runAll = async (batch: readonly string[]) => {
    const latencies: number[] = [];
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const r = await announce(batch[next++]!);
        latencies.push(r.ms);
        if (r.failure !== undefined) failures.push(r.failure);
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return { latencies, failures, seconds: (Date.now() - started) / 1000 };
  };
  await runAll(queries.slice(0, WARMUP));
  const { latencies, failures, seconds } = await runAll(queries.slice(WARMUP));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { name, perSecond: latencies.length / seconds, p50: pct(50), p99: pct(99), failures: failures.length, sample: failures[0] };
}

/** The local service as `npm start` runs it, in its own process so the load generator does not share its event loop. */
async function startLocalTracker(): Promise<{ url: string; stop: () => Promise<void> }> {
  const [port, s3Port, dynamoDbPort, gatewayPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      '--import',
      'tsx',
      join(ROOT, 'bin', 'local.ts'),
      '--memory',
      '--port',
      String(port),
      '--s3-port',
      String(s3Port),
      '--dynamodb-port',
      String(dynamoDbPort),
      '--gateway-port',
      String(gatewayPort),
      '--log-level',
      'ERROR',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = () => stopProcess(child);
  try {
    await waitFor(
      'the local service',
      async () => {
        if (child.exitCode !== null) throw new Error(`npm start exited: ${output}`);
        return output.includes('is running');
      },
      90_000,
    );
    const db = createDynamoDbClient({
      dynamoDbEndpoint: `http://127.0.0.1:${dynamoDbPort}`,
      credentials: LOCAL_CREDENTIALS,
      region: 'us-east-1',
    });
    await registerTorrents(
      db,
      DEFAULT_NAMES.swarmTable,
      infoHashes.map((h) => h.toString('hex')),
    );
    db.destroy();
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}

/** opentracker in whitelist mode (Debian builds no other); the whitelist is read relative to -d, which it chroots into. */
async function startOpentracker(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  if (spawnSync('sh', ['-c', 'command -v opentracker'], { stdio: 'ignore' }).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'opentracker-bench-'));
  // It drops to user nobody after the chroot: the directory and whitelist must stay readable.
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'whitelist'), infoHashes.map((h) => `${h.toString('hex')}\n`).join(''), { mode: 0o644 });
  const port = await freePort();
  const child = spawn('opentracker', ['-i', '127.0.0.1', '-p', String(port), '-P', String(port), '-w', 'whitelist', '-d', dir], {
    stdio: 'ignore',
  });
  const stop = async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    const probe = announceQuery({ infoHash: infoHashes[0]!, peerId: Buffer.alloc(20, 0x61), port: 1, left: 0, event: 'stopped' });
    await waitFor(
      'opentracker',
      async () => decodeAnnounce(Buffer.from(await (await fetch(`${url}/announce?${probe}`)).arrayBuffer())).failure === undefined,
      10_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

function positive(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number`);
  return n;
}

function print(results: Result[]): void {
  const row = (cells: string[]) =>
    `  ${cells[0]!.padEnd(42)}${cells
      .slice(1)
      .map((c) => c.padStart(12))
      .join('')}`;
  console.log(row(['', 'announces/s', 'p50 ms', 'p99 ms', 'failures']));
  for (const r of results) console.log(row([r.name, r.perSecond.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2), String(r.failures)]));
  const [ours, theirs] = results;
  if (ours && theirs) {
    console.log(
      row([
        `ratio (${ours.name.split(' ')[0]} / opentracker)`,
        `${(ours.perSecond / theirs.perSecond).toFixed(3)}x`,
        `${(ours.p50 / theirs.p50).toFixed(1)}x`,
        `${(ours.p99 / theirs.p99).toFixed(1)}x`,
        '',
      ]),
    );
  }
  for (const r of results.filter((r) => r.sample)) console.log(`  ${r.name}: first failure: ${r.sample}`);
}

async function main(): Promise<void> {
  // The SDK's notice about its future Node 22 floor is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const queries = workload(WARMUP + ANNOUNCES, 0x5eed);
  console.log(
    `Tracker benchmark: ${ANNOUNCES} announces (after ${WARMUP} warm-up), ${CONCURRENCY} in flight, ` +
      `${TORRENTS} torrents, ${PEERS} peers, a new connection per announce, 127.0.0.1.\n`,
  );
  const results: Result[] = [];
  const local = await startLocalTracker();
  try {
    results.push(await load('s3-torrent (npm start, DynamoDB Local)', local.url, queries));
  } finally {
    await local.stop();
  }
  const opentracker = await startOpentracker();
  if (opentracker) {
    try {
      results.push(await load('opentracker (whitelist mode)', opentracker.url, queries));
    } finally {
      await opentracker.stop();
    }
  }
  print(results);
  if (!opentracker) console.log('\n  opentracker is not installed (apt-get install opentracker): no comparison.');
  console.log(
    '\n  The local stack is the HTTP API stand-in, the tracker handler and DynamoDB Local (Java) on one machine;' +
      '\n  on AWS each announce is an API Gateway request, a Lambda invocation and 2-3 DynamoDB calls. opentracker' +
      '\n  keeps its swarms in memory in one C process: it is the ceiling, not the target, and its figure here is' +
      '\n  bounded by this load generator (Node opening a connection per announce).',
  );
}

main().catch((err: unknown) => {
  console.error(`bench:tracker failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
