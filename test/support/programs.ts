import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Whether an external program (mktorrent, aria2c, /usr/bin/python3 with libtorrent...) is here.
 * Under CI=true a missing program is an error, never a silent skip; elsewhere the test is skipped
 * with a note, so a developer without the program can still run the rest.
 */
export function hasProgram(name: string, check: () => boolean): boolean {
  const present = check();
  if (!present && process.env.CI === 'true') {
    throw new Error(`${name} is required under CI=true but is missing (.ci/run installs it with apt-get)`);
  }
  if (!present) console.warn(`skipping tests that need ${name}: not installed`);
  return present;
}

export const commandWorks = (command: string, args: string[]) => () => {
  // The environment jest gives the test (its own copy of process.env), not the host's.
  const r = spawnSync(command, args, { stdio: 'ignore', env: process.env });
  return r.error === undefined && r.status !== null;
};

export const haveMktorrent = () => hasProgram('mktorrent', commandWorks('mktorrent', ['-h']));
export const haveAria2 = () => hasProgram('aria2c', commandWorks('aria2c', ['--version']));
/** Debian's chromium (apt-get install chromium), driven by playwright-core; npm's browser downloads fail here. */
export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = () => hasProgram('chromium', commandWorks(CHROMIUM, ['--version']));
export const PYTHON = '/usr/bin/python3';
export const haveLibtorrent = () =>
  hasProgram('python3-libtorrent', () => spawnSync(PYTHON, ['-c', 'import libtorrent'], { stdio: 'ignore' }).status === 0);

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program without blocking the event loop: the local HTTP API it talks to lives in the test
 * process, so spawnSync would deadlock it. Killed after `timeoutMs`.
 */
export function run(command: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: stdout.slice(-20_000), stderr: stderr.slice(-20_000) });
    });
  });
}

// The smoke check's own downloader: one script for deployments and for the tests.
const LIBTORRENT_DOWNLOAD = join(__dirname, '..', '..', 'smoke', 'libtorrent-download.py');

/**
 * Downloads a .torrent with aria2c into `out`: DHT, LPD and PEX off, so a success means the
 * torrent's own tracker and web seeds were enough; it exits once complete (no seeding).
 */
export function aria2Download(torrentPath: string, out: string): Promise<RunResult> {
  return run(
    'aria2c',
    [
      `--dir=${out}`,
      '--seed-time=0',
      '--enable-dht=false',
      '--enable-dht6=false',
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      '--bt-stop-timeout=60',
      '--summary-interval=0',
      '--console-log-level=warn',
      torrentPath,
    ],
    90_000,
  );
}

/** The same with libtorrent (smoke/libtorrent-download.py). */
export function libtorrentDownload(torrentPath: string, out: string): Promise<RunResult> {
  return run(PYTHON, [LIBTORRENT_DOWNLOAD, torrentPath, out, '60'], 90_000);
}
