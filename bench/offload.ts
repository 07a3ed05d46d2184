/**
 * `npm run bench:offload`: how many bytes the web seed (S3 behind CloudFront; here the local
 * gateway in front of the local S3, which counts them) serves when N libtorrent downloaders fetch
 * one object, with the swarm-aware gate on and off, and what it costs in download time.
 *
 * Each downloader is its own libtorrent process (test/interop/libtorrent-peer.py) with its own
 * port, folder, upload cap and `?torrent` answer (so its own ticket), and seeds until every
 * downloader is done. libtorrent keeps its defaults (SSRF mitigation on, 5-minute minimum announce
 * interval, 30 s web-seed retry). The S3 rate caps each web-seed response, as S3's per-connection
 * throughput does; peer upload caps are libtorrent's upload_rate_limit.
 *
 *   npm run bench:offload [-- --scenarios a,b --size-mib 64 --json results.json]
 *
 * Printed per scenario and mode: S3 bytes ÷ object, web-seed (useful) and peer bytes, wasted S3
 * bytes (served but never used: overlapping 16 MiB requests, parked retries), each downloader's
 * completion time, then ratios gated ÷ ungated. Timing-sensitive: run it on a quiet machine, and
 * more than once (docs/web-seed.md quotes the run-to-run range).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_GATE_POLICY, type GatePolicy } from '../lambdas/core/gate/gate-policy';
import { createAwsClients } from '../lambdas/runtime/aws-clients';
import { startDynamoDbLocal } from '../local/dynamodb';
import { startLocalService } from '../local/local-service';
import { LOCAL_CREDENTIALS, startLocalS3 } from '../local/s3';
import { PYTHON } from '../test/support/programs';
import { putObject, testBytes, uniqueSuffix } from '../test/support/service';

const MB = 1_000_000;
const MiB = 1024 * 1024;

interface Scenario {
  readonly name: string;
  readonly downloaders: number;
  /** Bytes/s per web-seed response; undefined: unlimited. */
  readonly s3Rate?: number;
  /** Bytes/s each peer uploads; undefined: unlimited. */
  readonly peerRate?: number;
  /** Seconds between downloaders' starts (0: together). */
  readonly stagger: number;
  /** Every seeder leaves when the last downloader is half done. */
  readonly seedersLeave?: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'fast', downloaders: 5, stagger: 4 },
  { name: 's3-5', downloaders: 5, s3Rate: 5 * MB, stagger: 4 },
  { name: 'even-20', downloaders: 5, s3Rate: 20 * MB, peerRate: 20 * MB, stagger: 4 },
  { name: 'slow-peers', downloaders: 5, s3Rate: 20 * MB, peerRate: 5 * MB, stagger: 4 },
  { name: 'together', downloaders: 5, s3Rate: 20 * MB, stagger: 0 },
  { name: 'ten-slow-peers', downloaders: 10, s3Rate: 20 * MB, peerRate: 5 * MB, stagger: 4 },
  { name: 'seeders-leave', downloaders: 5, s3Rate: 20 * MB, peerRate: 20 * MB, stagger: 4, seedersLeave: true },
];

/** The trade-off where peers are slower than S3: the default and a few other settings, on `slow-peers`. */
const TRADE_OFF: readonly { label: string; gate: Partial<GatePolicy> }[] = [
  { label: 'feeds 1, seeders 2', gate: { feeds: 1, seedersToGate: 2 } },
  { label: 'feeds 2, seeders 2', gate: { feeds: 2, seedersToGate: 2 } },
  { label: 'feeds 2, seeders 4', gate: { feeds: 2, seedersToGate: 4 } },
];

interface DownloaderResult {
  readonly seconds: number | null;
  readonly webSeedBytes: number;
  readonly peerBytes: number;
  readonly servedBytes: number;
  readonly parked: number;
  readonly identical: boolean;
}

interface RunResult {
  readonly scenario: string;
  readonly mode: string;
  readonly objectBytes: number;
  readonly servedBytes: number;
  readonly webSeedBytes: number;
  readonly peerBytes: number;
  readonly downloaders: readonly DownloaderResult[];
  readonly wallSeconds: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenarios: { type: 'string' },
      'size-mib': { type: 'string', default: '64' },
      'trade-off': { type: 'boolean', default: true },
      json: { type: 'string' },
      timeout: { type: 'string', default: '240' },
    },
  });
  const names = values.scenarios?.split(',');
  const scenarios = SCENARIOS.filter((s) => names === undefined || names.includes(s.name));
  const size = Number(values['size-mib']) * MiB;
  const timeoutMs = Number(values.timeout) * 1000;
  const work = mkdtempSync(join(tmpdir(), 'offload-'));
  const [s3, dynamoDb] = await Promise.all([startLocalS3({ directory: join(work, 's3') }), startDynamoDbLocal()]);
  const data = testBytes(size, 64);
  const results: RunResult[] = [];
  try {
    const clients = createAwsClients({ s3Endpoint: s3.endpoint, dynamoDbEndpoint: dynamoDb.endpoint, credentials: LOCAL_CREDENTIALS });
    const bucket = 'offload-bench';
    await clients.s3.send(new (await import('@aws-sdk/client-s3')).CreateBucketCommand({ Bucket: bucket }));
    await putObject(clients, bucket, 'object.bin', data);
    clients.s3.destroy();
    clients.dynamoDb.destroy();
    const env = { s3Endpoint: s3.endpoint, dynamoDbEndpoint: dynamoDb.endpoint, bucket, data, work, timeoutMs };
    console.log(
      `object: ${size / MiB} MiB; policy default: feeds ${DEFAULT_GATE_POLICY.feeds}, seeders ${DEFAULT_GATE_POLICY.seedersToGate}\n`,
    );
    for (const scenario of scenarios) {
      const pair = [await runScenario(scenario, 'ungated', false, env), await runScenario(scenario, 'gated', {}, env)];
      results.push(...pair);
      printScenario(scenario, pair);
    }
    if (values['trade-off'] && (names === undefined || names.includes('slow-peers'))) {
      const slow = SCENARIOS.find((s) => s.name === 'slow-peers') as Scenario;
      const tradeOff = results.filter((r) => r.scenario === 'slow-peers');
      for (const setting of TRADE_OFF) {
        const r = await runScenario(slow, setting.label, setting.gate, env);
        results.push(r);
        tradeOff.push(r);
      }
      printTradeOff(tradeOff);
    }
    if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await s3.stop();
    await dynamoDb.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

interface Env {
  readonly s3Endpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly bucket: string;
  readonly data: Buffer;
  readonly work: string;
  readonly timeoutMs: number;
}

const PEER = join(__dirname, '..', 'test', 'interop', 'libtorrent-peer.py');

interface Peer {
  readonly child: ChildProcess;
  readonly userAgent: string;
  readonly saveDir: string;
  progress: number;
  finished?: { seconds: number; webSeed: number; peer: number };
  closed?: Promise<void>;
}

async function runScenario(scenario: Scenario, mode: string, gate: Partial<GatePolicy> | false, env: Env): Promise<RunResult> {
  const suffix = uniqueSuffix();
  const service = await startLocalService({
    s3Endpoint: env.s3Endpoint,
    dynamoDbEndpoint: env.dynamoDbEndpoint,
    names: { torrentTable: `t-${suffix}`, swarmTable: `s-${suffix}`, metadataBucket: `m-${suffix}`, gateTable: `g-${suffix}` },
    createBuckets: [],
    workflow: false,
    logLevel: 'ERROR',
    webSeed: { gate, originBytesPerSecond: scenario.s3Rate, streamIntervalMs: 100 },
  });
  const gateway = service.webSeed!.gateway;
  const dir = join(env.work, `${scenario.name}-${mode.replace(/\W+/g, '-')}`);
  const peers: Peer[] = [];
  const started = Date.now();
  try {
    const deadline = started + env.timeoutMs;
    let leaving = false;
    for (let i = 0; i < scenario.downloaders; i++) {
      const due = started + i * scenario.stagger * 1000;
      while (Date.now() < due) await tick(peers, scenario, () => (leaving = true), leaving);
      peers.push(await startPeer(service.apiUrl, env.bucket, gateway.port, dir, i, scenario, env.timeoutMs));
    }
    while (!peers.every((p) => p.finished) && Date.now() < deadline) {
      if (peers.some((p) => p.child.exitCode !== null && !p.finished)) break;
      await tick(peers, scenario, () => (leaving = true), leaving);
    }
  } finally {
    await Promise.all(peers.map((p) => stopPeer(p)));
    await service.stop();
  }
  const wallSeconds = (Date.now() - started) / 1000;
  const sha = (b: Buffer) => createHash('sha1').update(b).digest('hex');
  const expected = sha(env.data);
  const downloaders = peers.map((p): DownloaderResult => {
    const served = gateway.byUserAgent.get(p.userAgent);
    let identical = false;
    try {
      identical = p.finished !== undefined && sha(readFileSync(join(p.saveDir, 'object.bin'))) === expected;
    } catch {
      identical = false;
    }
    return {
      seconds: p.finished?.seconds ?? null,
      webSeedBytes: p.finished?.webSeed ?? 0,
      peerBytes: p.finished?.peer ?? 0,
      servedBytes: served?.originBytes ?? 0,
      parked: served?.parked ?? 0,
      identical,
    };
  });
  rmSync(dir, { recursive: true, force: true });
  const sum = (f: (d: DownloaderResult) => number) => downloaders.reduce((a, d) => a + f(d), 0);
  return {
    scenario: scenario.name,
    mode,
    objectBytes: env.data.length,
    servedBytes: gateway.totals.originBytes,
    webSeedBytes: sum((d) => d.webSeedBytes),
    peerBytes: sum((d) => d.peerBytes),
    downloaders,
    wallSeconds,
  };
}

/** Waits a moment; in the seeders-leave scenario, stops every seeder once the last downloader is half done. */
async function tick(peers: Peer[], scenario: Scenario, onLeave: () => void, leaving: boolean): Promise<void> {
  await new Promise((r) => setTimeout(r, 100));
  if (!scenario.seedersLeave || leaving || peers.length < scenario.downloaders) return;
  const last = peers[peers.length - 1] as Peer;
  if (last.progress < 0.5) return;
  onLeave();
  for (const p of peers) if (p.finished && p !== last) void stopPeer(p);
}

async function startPeer(api: string, bucket: string, gatewayPort: number, dir: string, i: number, scenario: Scenario, timeoutMs: number) {
  const saveDir = join(dir, `d${i + 1}`);
  mkdirSync(saveDir, { recursive: true });
  const torrentPath = join(dir, `d${i + 1}.torrent`);
  // Each downloader asks for the torrent itself: its own answer, its own ticket.
  const res = await fetch(`${api}/${bucket}/object.bin?torrent`);
  if (res.status !== 200) throw new Error(`?torrent answered ${res.status}: ${await res.text()}`);
  writeFileSync(torrentPath, Buffer.from(await res.arrayBuffer()));
  const userAgent = `libtorrent/2.0.8.0 bench-d${i + 1}`;
  const config = {
    torrent: torrentPath,
    save_dir: saveDir,
    timeout: Math.ceil(timeoutMs / 1000) + 60,
    web_seed_port: gatewayPort,
    upload_rate: scenario.peerRate ?? 0,
    settings: { user_agent: userAgent },
  };
  const child = spawn(PYTHON, [PEER, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const peer: Peer = { child, userAgent, saveDir, progress: 0 };
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const event = JSON.parse(line) as Record<string, number | string>;
      if (event.event === 'progress') peer.progress = Number(event.progress);
      if (event.event === 'finished') {
        peer.progress = 1;
        peer.finished = { seconds: Number(event.seconds), webSeed: Number(event.web_seed), peer: Number(event.peer) };
      }
    }
  });
  child.stderr?.on('data', () => undefined);
  return peer;
}

function stopPeer(peer: Peer): Promise<void> {
  peer.closed ??= new Promise<void>((resolve) => {
    if (peer.child.exitCode !== null || peer.child.signalCode !== null) return resolve();
    const timer = setTimeout(() => peer.child.kill('SIGKILL'), 15_000);
    peer.child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // Closing stdin makes the peer announce `stopped` and exit.
    peer.child.stdin?.end();
  });
  return peer.closed;
}

const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const secs = (s: number | null) => (s === null || !Number.isFinite(s) ? 'DNF' : s.toFixed(1));
const rate = (r?: number) => (r === undefined ? 'unlimited' : `${r / MB} MB/s`);

function printScenario(scenario: Scenario, [ungated, gated]: RunResult[]): void {
  if (ungated === undefined || gated === undefined) return;
  console.log(
    `== ${scenario.name}: ${scenario.downloaders} downloaders, S3 ${rate(scenario.s3Rate)}, peers ${rate(scenario.peerRate)}, ` +
      `${scenario.stagger === 0 ? 'together' : `${scenario.stagger} s apart`}${scenario.seedersLeave ? ', every seeder leaves when the last downloader is half done' : ''}`,
  );
  console.log('  mode       S3 bytes ÷ object   web seed MiB   peers MiB   wasted MiB   identical   completion s (d1 d2 ...)');
  for (const r of [ungated, gated]) {
    const identical = r.downloaders.every((d) => d.identical);
    console.log(
      `  ${r.mode.padEnd(9)}  ${(r.servedBytes / r.objectBytes).toFixed(2).padStart(17)}   ${mib(r.webSeedBytes).padStart(12)}   ` +
        `${mib(r.peerBytes).padStart(9)}   ${mib(Math.max(0, r.servedBytes - r.webSeedBytes)).padStart(10)}   ${(identical ? 'yes' : 'NO').padStart(9)}   ` +
        r.downloaders.map((d) => secs(d.seconds)).join(' '),
    );
  }
  const ratios = gated.downloaders.map((d, i) => {
    const u = ungated.downloaders[i]?.seconds;
    return d.seconds === null || u === null || u === undefined ? 'n/a' : (d.seconds / u).toFixed(2);
  });
  console.log(`  gated ÷ ungated completion: ${ratios.join(' ')}   (first downloader ${ratios[0]})\n`);
}

function printTradeOff(runs: readonly RunResult[]): void {
  console.log('== trade-off on slow-peers (peers upload 5 MB/s, S3 serves 20 MB/s): S3 bytes against the slowest downloader');
  console.log('  setting               S3 bytes ÷ object   slowest s   mean s');
  for (const r of runs) {
    const times = r.downloaders.map((d) => d.seconds ?? Infinity);
    const mean = times.reduce((a, t) => a + t, 0) / times.length;
    const label = r.mode === 'gated' ? `gated (default)` : r.mode;
    console.log(
      `  ${label.padEnd(20)}  ${(r.servedBytes / r.objectBytes).toFixed(2).padStart(17)}   ${secs(Math.max(...times)).padStart(9)}   ${secs(mean).padStart(6)}`,
    );
  }
  console.log('');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
