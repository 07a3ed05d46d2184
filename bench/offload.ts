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
 *   npm run bench:offload [-- --scenarios a,b --size-mib 64 --no-trade-off --json results.json]
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
import { startLocalService, type LocalService } from '../local/local-service';
import { CopyObjectCommand, CreateBucketCommand } from '@aws-sdk/client-s3';
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
  /** The object's size (default: --size-mib, 64). */
  readonly sizeMiB?: number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'fast', downloaders: 5, stagger: 4 },
  { name: 's3-5', downloaders: 5, s3Rate: 5 * MB, stagger: 4 },
  { name: 'even-20', downloaders: 5, s3Rate: 20 * MB, peerRate: 20 * MB, stagger: 4 },
  { name: 'slow-peers', downloaders: 5, s3Rate: 20 * MB, peerRate: 5 * MB, stagger: 4 },
  { name: 'together', downloaders: 5, s3Rate: 20 * MB, stagger: 0 },
  { name: 'ten-slow-peers', downloaders: 10, s3Rate: 20 * MB, peerRate: 5 * MB, stagger: 4 },
  // The last downloader starts once the others are seeders, so when they leave it has no peer at all.
  { name: 'seeders-leave', downloaders: 5, s3Rate: 20 * MB, peerRate: 20 * MB, stagger: 4, seedersLeave: true },
];

/**
 * Where peers upload slower than S3 serves, fewer S3 bytes means slower downloads. `slow-peers`
 * asks for 20 MB/s from S3, which this machine's local S3 and gateway (one Node process, shared
 * CPUs) do not reach, so the trade-off is measured at rates it does reach, in the same 4:1 ratio.
 */
const TRADE_OFF_SCENARIO: Scenario = { name: 'slow-peers-4:1', downloaders: 5, s3Rate: 4 * MB, peerRate: 1 * MB, stagger: 4, sizeMiB: 16 };
const TRADE_OFF: readonly { label: string; gate: Partial<GatePolicy> }[] = [
  { label: 'feeds 2, seeders 1', gate: { feeds: 2, seedersToGate: 1 } },
  { label: 'feeds 2, seeders 2', gate: { feeds: 2, seedersToGate: 2 } },
  { label: 'feeds 3, seeders 3', gate: { feeds: 3, seedersToGate: 3 } },
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
  /** Seeders-leave scenario: seconds from the run's start to the moment the seeders began leaving. */
  readonly seedersLeftAt?: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenarios: { type: 'string' },
      'size-mib': { type: 'string', default: '64' },
      'no-trade-off': { type: 'boolean', default: false },
      json: { type: 'string' },
      timeout: { type: 'string', default: '240' },
    },
  });
  const names = values.scenarios?.split(',');
  const scenarios = SCENARIOS.filter((s) => names === undefined || names.includes(s.name));
  const defaultMiB = Number(values['size-mib']);
  const timeoutMs = Number(values.timeout) * 1000;
  const work = mkdtempSync(join(tmpdir(), 'offload-'));
  const [s3, dynamoDb] = await Promise.all([startLocalS3({ directory: join(work, 's3') }), startDynamoDbLocal()]);
  const results: RunResult[] = [];
  const services = new Map<string, LocalService>();
  const benchStarted = Date.now();
  try {
    const clients = createAwsClients({ s3Endpoint: s3.endpoint, dynamoDbEndpoint: dynamoDb.endpoint, credentials: LOCAL_CREDENTIALS });
    const bucket = 'offload-bench';
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const masters = new Map<number, Buffer>();
    let runs = 0;
    const env: Env = {
      bucket,
      work,
      timeoutMs,
      // One service per gate setting, reused: each run has its own object (so its own torrent, swarm and gate).
      service: async (gate) => {
        const id = JSON.stringify(gate);
        let service = services.get(id);
        if (service === undefined) {
          const suffix = uniqueSuffix();
          service = await startLocalService({
            s3Endpoint: s3.endpoint,
            dynamoDbEndpoint: dynamoDb.endpoint,
            names: { torrentTable: `t-${suffix}`, swarmTable: `s-${suffix}`, metadataBucket: `m-${suffix}`, gateTable: `g-${suffix}` },
            createBuckets: [],
            workflow: false,
            logLevel: 'ERROR',
            webSeed: { gate, streamIntervalMs: 100 },
          });
          services.set(id, service);
        }
        return service;
      },
      object: async (sizeMiB) => {
        let data = masters.get(sizeMiB);
        if (data === undefined) {
          data = testBytes(sizeMiB * MiB, 64 + sizeMiB);
          masters.set(sizeMiB, data);
          await putObject(clients, bucket, `master-${sizeMiB}.bin`, data);
        }
        const key = `object-${++runs}.bin`;
        await clients.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/master-${sizeMiB}.bin` }));
        return { key, data };
      },
    };
    console.log(
      `object: ${defaultMiB} MiB; policy default: feeds ${DEFAULT_GATE_POLICY.feeds}, seeders ${DEFAULT_GATE_POLICY.seedersToGate}\n`,
    );
    for (const scenario of scenarios) {
      const sized = { ...scenario, sizeMiB: scenario.sizeMiB ?? defaultMiB };
      const pair = [await runScenario(sized, 'ungated', false, env), await runScenario(sized, 'gated', {}, env)];
      results.push(...pair);
      printScenario(sized, pair);
    }
    if (!values['no-trade-off']) {
      const tradeOff = [
        await runScenario(TRADE_OFF_SCENARIO, 'ungated', false, env),
        await runScenario(TRADE_OFF_SCENARIO, 'gated', {}, env),
      ];
      for (const setting of TRADE_OFF) tradeOff.push(await runScenario(TRADE_OFF_SCENARIO, setting.label, setting.gate, env));
      results.push(...tradeOff);
      printTradeOff(TRADE_OFF_SCENARIO, tradeOff);
    }
    console.log(`bench:offload took ${((Date.now() - benchStarted) / 60_000).toFixed(1)} minutes`);
    if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
    clients.s3.destroy();
    clients.dynamoDb.destroy();
  } finally {
    for (const service of services.values()) await service.stop();
    await s3.stop();
    await dynamoDb.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

interface Env {
  readonly bucket: string;
  readonly work: string;
  readonly timeoutMs: number;
  service(gate: Partial<GatePolicy> | false): Promise<LocalService>;
  /** A fresh copy of the object of that size, under a key of its own. */
  object(sizeMiB: number): Promise<{ key: string; data: Buffer }>;
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
  const service = await env.service(gate);
  const { key, data } = await env.object(scenario.sizeMiB ?? 64);
  const gateway = service.webSeed!.gateway;
  gateway.setOriginRate(scenario.s3Rate);
  gateway.resetCounts();
  const dir = join(env.work, `${scenario.name}-${mode.replace(/\W+/g, '-')}`);
  const peers: Peer[] = [];
  const started = Date.now();
  let leftAt: number | undefined;
  try {
    const deadline = started + env.timeoutMs;
    let leaving = false;
    const leave = () => {
      leaving = true;
      leftAt = (Date.now() - started) / 1000;
    };
    for (let i = 0; i < scenario.downloaders; i++) {
      const due = started + i * scenario.stagger * 1000;
      const last = i === scenario.downloaders - 1;
      while (Date.now() < due || (last && scenario.seedersLeave && !peers.every((p) => p.finished) && Date.now() < deadline)) {
        await tick(peers, scenario, leave, leaving);
      }
      peers.push(await startPeer(service.apiUrl, env.bucket, key, gateway.port, dir, i, scenario, env.timeoutMs));
    }
    while (!peers.every((p) => p.finished) && Date.now() < deadline) {
      if (peers.some((p) => p.child.exitCode !== null && !p.finished)) break;
      await tick(peers, scenario, leave, leaving);
    }
  } finally {
    await Promise.all(peers.map((p) => stopPeer(p)));
  }
  const wallSeconds = (Date.now() - started) / 1000;
  const sha = (b: Buffer) => createHash('sha1').update(b).digest('hex');
  const expected = sha(data);
  const downloaders = peers.map((p): DownloaderResult => {
    const served = gateway.byUserAgent.get(p.userAgent);
    let identical = false;
    try {
      identical = p.finished !== undefined && sha(readFileSync(join(p.saveDir, key))) === expected;
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
    objectBytes: data.length,
    servedBytes: gateway.totals.originBytes,
    webSeedBytes: sum((d) => d.webSeedBytes),
    peerBytes: sum((d) => d.peerBytes),
    downloaders,
    wallSeconds,
    ...(leftAt !== undefined ? { seedersLeftAt: leftAt } : {}),
  };
}

/**
 * Waits a moment. In the seeders-leave scenario (where the last downloader starts once every other
 * one is a seeder), once the last downloader is half done every seeder leaves, announcing `stopped`:
 * from then on it has no peer, only S3.
 */
async function tick(peers: Peer[], scenario: Scenario, onLeave: () => void, leaving: boolean): Promise<void> {
  await new Promise((r) => setTimeout(r, 100));
  if (!scenario.seedersLeave || peers.length < scenario.downloaders) return;
  const last = peers[peers.length - 1] as Peer;
  if (!leaving && last.progress < 0.5) return;
  if (!leaving) onLeave();
  for (const p of peers) if (p.finished && p !== last) void stopPeer(p);
}

async function startPeer(
  api: string,
  bucket: string,
  key: string,
  gatewayPort: number,
  dir: string,
  i: number,
  scenario: Scenario,
  timeoutMs: number,
) {
  const saveDir = join(dir, `d${i + 1}`);
  mkdirSync(saveDir, { recursive: true });
  const torrentPath = join(dir, `d${i + 1}.torrent`);
  // Each downloader asks for the torrent itself: its own answer, its own ticket.
  const res = await fetch(`${api}/${bucket}/${key}?torrent`);
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
  console.log(`  gated ÷ ungated completion: ${ratios.join(' ')}   (first downloader ${ratios[0]})`);
  // What the caps amount to on this machine: the first downloader alone on S3 (ungated), and the
  // later downloaders' peer bytes per second of their download (gated, where peers carry them).
  const first = ungated.downloaders[0];
  const later = gated.downloaders.slice(1).filter((d) => d.seconds !== null);
  const peerRate = later.reduce((a, d) => a + d.peerBytes / (d.seconds as number), 0) / Math.max(1, later.length);
  if (first?.seconds) {
    console.log(
      `  effective here: S3 ${(first.webSeedBytes / first.seconds / MB).toFixed(1)} MB/s to the first downloader (ungated), ` +
        `peers ${(peerRate / MB).toFixed(1)} MB/s to each later one (gated)`,
    );
  }
  for (const r of scenario.seedersLeave ? [ungated, gated] : []) {
    const last = r.downloaders[r.downloaders.length - 1];
    console.log(
      `  ${r.mode}: the seeders left ${secs(r.seedersLeftAt ?? null)} s into the run; the last downloader got ${mib(last?.webSeedBytes ?? 0)} MiB ` +
        `from the web seed (${last?.parked ?? 0} parked requests) and finished: ${last?.seconds !== null && last?.identical ? 'yes' : 'NO'}`,
    );
  }
  console.log('');
}

function printTradeOff(scenario: Scenario, runs: readonly RunResult[]): void {
  console.log(
    `== trade-off where peers are slower than S3 (${scenario.name}: ${scenario.downloaders} downloaders, ${scenario.sizeMiB} MiB, ` +
      `S3 ${rate(scenario.s3Rate)}, peers ${rate(scenario.peerRate)}, ${scenario.stagger} s apart): S3 bytes against the slowest downloader`,
  );
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
