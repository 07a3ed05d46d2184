/**
 * `npm run bench:create`: s3-torrent create against mktorrent (v1) and libtorrent (v2, hybrid) on
 * the same file in the same run: wall time, throughput and peak memory, and the ratios the project
 * aims for (v1 at least as fast as `mktorrent -t <cores>`, hybrid at least twice libtorrent's speed).
 *
 * Every tool runs as a user runs it (a fresh process reading the file), with 1 MiB pieces, after the
 * file is in the page cache; runs alternate between tools and the best of each is compared, so a
 * busy shared machine disturbs the ratios as little as it can. Peak memory is GNU time's maximum
 * resident set size. Each tool's infohashes are checked against the others' before any number counts.
 *
 * Options: --size-mib N (default 2048), --runs N (default 3). The temporary file is always deleted.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTorrentFile } from '../lambdas/core/metainfo';

const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '2048' }, runs: { type: 'string', default: '3' } } });
const SIZE = Number(values['size-mib']) * 1024 * 1024;
const RUNS = Number(values.runs);
const PIECE_EXPONENT = 20;
const CORES = availableParallelism();
const PYTHON = '/usr/bin/python3';
const TIME = '/usr/bin/time';
const CLI = join(__dirname, '../bin/s3-torrent.cjs');

interface Tool {
  readonly label: string;
  readonly format: 'v1' | 'v2' | 'hybrid';
  readonly available: boolean;
  command(file: string, out: string): string[];
}

const have = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
const haveMktorrent = spawnSync('mktorrent', ['-h'], { stdio: 'ignore' }).error === undefined;
const haveLibtorrent = have(PYTHON, ['-c', 'import libtorrent']);
const haveTime = existsSync(TIME);

const ours = (format: Tool['format']): Tool => ({
  label: `s3-torrent --${format}`,
  format,
  available: true,
  command: (file, out) => [process.execPath, CLI, 'create', `--${format}`, '-l', String(PIECE_EXPONENT), '-o', out, file],
});
const libtorrent = (format: Tool['format']): Tool => ({
  label: `libtorrent ${format}`,
  format,
  available: haveLibtorrent,
  command: (file, out) => [PYTHON, join(__dirname, 'libtorrent-create.py'), file, format, String(2 ** PIECE_EXPONENT), out],
});
const TOOLS: Tool[] = [
  ours('v1'),
  {
    label: `mktorrent -t ${CORES}`,
    format: 'v1',
    available: haveMktorrent,
    command: (file, out) => ['mktorrent', '-t', String(CORES), '-l', String(PIECE_EXPONENT), '-o', out, file],
  },
  ours('v2'),
  libtorrent('v2'),
  ours('hybrid'),
  libtorrent('hybrid'),
];

interface Run {
  readonly seconds: number;
  readonly peakRssMiB?: number;
  /** User + system CPU time: what the run cost, whatever else the machine was doing. */
  readonly cpuSeconds?: number;
}

function timed(argv: string[], out: string): Run {
  rmSync(out, { force: true });
  const timeFile = `${out}.time`;
  const wrapped = haveTime ? [TIME, '-f', '%e %M %U %S', '-o', timeFile, ...argv] : argv;
  const started = process.hrtime.bigint();
  const r = spawnSync(wrapped[0] as string, wrapped.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr?.toString()}`);
  if (!haveTime) return { seconds };
  const [, maxRssKiB, user, system] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-4).map(Number);
  return { seconds, peakRssMiB: (maxRssKiB as number) / 1024, cpuSeconds: (user as number) + (system as number) };
}

function writeTestFile(path: string): void {
  // Random 16 MiB blocks with a counter in front, so no two pieces are alike.
  const block = randomBytes(16 * 1024 * 1024);
  const fd = openSync(path, 'w');
  for (let written = 0, i = 0; written < SIZE; i++) {
    block.writeUInt32LE(i, 0);
    written += writeSync(fd, block, 0, Math.min(block.length, SIZE - written));
  }
  closeSync(fd);
}

function warmPageCache(path: string): void {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  for (let position = 0; readSync(fd, buffer, 0, buffer.length, position) > 0; position += buffer.length);
  closeSync(fd);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (x: number | undefined, digits = 2) => (x === undefined ? '-' : x.toFixed(digits));

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 's3-torrent-bench-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const file = join(dir, 'bench.bin');
    console.log(
      `bench:create: ${SIZE / 1024 ** 2} MiB file, 2^${PIECE_EXPONENT}-byte pieces, ${CORES} cores, best of ${RUNS} runs per tool`,
    );
    writeTestFile(file);
    warmPageCache(file);
    if (!haveTime) console.log(`(${TIME} is missing, so no peak memory: apt-get install time)`);
    const available = TOOLS.filter((t) => t.available);
    for (const t of TOOLS) if (!t.available) console.log(`skipping ${t.label}: not installed`);

    const runs = new Map<Tool, Run[]>(available.map((t) => [t, []]));
    for (let round = 0; round < RUNS; round++) {
      for (const tool of round % 2 === 0 ? available : [...available].reverse()) {
        runs
          .get(tool)!
          .push(
            timed(
              tool.command(file, join(dir, `${tool.label.replace(/\W+/g, '_')}.torrent`)),
              join(dir, `${tool.label.replace(/\W+/g, '_')}.torrent`),
            ),
          );
      }
    }
    checkSameInfoHashes(available, dir);

    console.log('');
    console.log(
      `load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `${'tool'.padEnd(22)} ${'best s'.padStart(7)} ${'median s'.padStart(8)} ${'MiB/s'.padStart(7)} ${'CPU s'.padStart(6)} ${'peak RSS MiB'.padStart(12)}`,
    );
    const best = new Map<string, Run>();
    for (const [tool, rs] of runs) {
      const fastest = rs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      const peak = rs.every((r) => r.peakRssMiB !== undefined) ? Math.max(...rs.map((r) => r.peakRssMiB as number)) : undefined;
      best.set(tool.label, { seconds: fastest.seconds, peakRssMiB: peak });
      const cpu = rs.every((r) => r.cpuSeconds !== undefined) ? Math.min(...rs.map((r) => r.cpuSeconds as number)) : undefined;
      console.log(
        `${tool.label.padEnd(22)} ${fmt(fastest.seconds).padStart(7)} ${fmt(median(rs.map((r) => r.seconds))).padStart(8)} ${fmt(SIZE / 1024 ** 2 / fastest.seconds, 0).padStart(7)} ${fmt(cpu).padStart(6)} ${fmt(peak, 1).padStart(12)}`,
      );
    }

    console.log('');
    const ratio = (ourLabel: string, theirLabel: string, goal: number) => {
      const o = best.get(ourLabel);
      const t = best.get(theirLabel);
      if (!o || !t) return;
      const speed = t.seconds / o.seconds;
      const memory = o.peakRssMiB !== undefined && t.peakRssMiB !== undefined ? ` memory ${fmt(o.peakRssMiB / t.peakRssMiB)}x theirs` : '';
      console.log(
        `${ourLabel} vs ${theirLabel}: ${fmt(speed)}x the speed (goal >= ${goal}x: ${speed >= goal ? 'met' : 'NOT met'});${memory}`,
      );
    };
    ratio('s3-torrent --v1', `mktorrent -t ${CORES}`, 1);
    ratio('s3-torrent --v2', 'libtorrent v2', 1);
    ratio('s3-torrent --hybrid', 'libtorrent hybrid', 2);
  } finally {
    cleanup();
  }
}

/** Numbers only count if every tool made the same torrent: v1 hashes with mktorrent, v1/v2 with libtorrent. */
function checkSameInfoHashes(tools: Tool[], dir: string): void {
  const hashes = new Map<string, string>();
  for (const tool of tools) {
    const meta = parseTorrentFile(readFileSync(join(dir, `${tool.label.replace(/\W+/g, '_')}.torrent`)));
    const key = `${tool.format}`;
    const value = `${meta.infoHashV1 ? Buffer.from(meta.infoHashV1).toString('hex') : '-'}/${meta.infoHashV2 ? Buffer.from(meta.infoHashV2).toString('hex') : '-'}`;
    const seen = hashes.get(key);
    if (seen !== undefined && seen !== value) throw new Error(`${tool.label} made a different ${key} torrent: ${value} vs ${seen}`);
    hashes.set(key, value);
  }
  console.log(
    `infohashes agree across tools: ${[...hashes].map(([k, v]) => `${k} ${v.replace('/-', '').replace('-/', '').slice(0, 16)}…`).join(', ')}`,
  );
}

main();
