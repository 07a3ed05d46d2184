import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../local/processes';

/**
 * What a test run must leave behind: nothing. Global setup gives the run its own temporary
 * directory (TMPDIR, inherited by Jest's workers and every program a test starts) and a marker in
 * the environment; global teardown then fails the run, naming them, if a temporary file or a
 * process of the run is still there, and removes them either way.
 */
const MARKER = 'S3_TORRENT_TEST_RUN';
// Caches that tools keep in the temp directory on purpose (tsx's compile cache).
const CACHES = [/^tsx-\d+$/];

export function beginRun(): void {
  process.env[MARKER] = randomBytes(8).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 's3-torrent-test-run-'));
  process.env.S3_TORRENT_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
}

export async function endRun(): Promise<void> {
  const problems: string[] = [];
  const survivors = await untilNoProcessesLeft(5000);
  for (const { pid, command } of survivors) {
    problems.push(`process ${pid} still running: ${command.slice(0, 200)}`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
  const dir = process.env.S3_TORRENT_TEST_TMPDIR;
  if (dir !== undefined) {
    const left = readdirSync(dir).filter((name) => !CACHES.some((c) => c.test(name)));
    for (const name of left) problems.push(`left in the temp directory: ${name}`);
    rmSync(dir, { recursive: true, force: true });
  }
  if (problems.length > 0) {
    throw new Error(`The test run did not clean up after itself:\n  ${problems.join('\n  ')}`);
  }
}

/** Processes started during this run (they carry the marker), other than Jest's own. */
function runProcesses(): { pid: number; command: string }[] {
  const marker = `${MARKER}=${process.env[MARKER]}`;
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) continue;
      if (!isAlive(pid)) continue; // exited, waiting to be reaped
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
      // Jest's workers, and esbuild's service process, which lives exactly as long as its parent.
      if (command.includes('jest-worker') || /esbuild --service=/.test(command)) continue;
      found.push({ pid, command });
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

async function untilNoProcessesLeft(timeoutMs: number): Promise<{ pid: number; command: string }[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = process.platform === 'linux' ? runProcesses() : [];
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
}
