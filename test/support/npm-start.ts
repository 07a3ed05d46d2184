import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/ports';
import { isAlive } from '../../local/processes';
import { DYNAMODB_PID_FILE, SERVICE_PID_FILE, type PidRecord } from '../../local/stale-runs';

const ROOT = join(__dirname, '..', '..');

/** A real `npm start` (npm → node → DynamoDB Local) on free ports with its own data directory. */
export interface NpmStart {
  readonly npm: ChildProcess;
  readonly npmPid: number;
  readonly ports: { api: number; s3: number; dynamodb: number };
  readonly dataDir: string;
  output(): string;
  /** Resolves with the exit code (or signal) once npm has exited. */
  readonly exited: Promise<number | string | null>;
  /** Node's and DynamoDB Local's PIDs, from the PID files the service writes. */
  pids(): { node: number; java: number };
  /** Kills whatever of it is left (the process group, then each PID) and removes the data directory. */
  cleanUp(): Promise<void>;
}

export async function spawnNpmStart(
  options: { dataDir?: string; ports?: Partial<NpmStart['ports']>; extraArgs?: string[] } = {},
): Promise<NpmStart> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'npm-start-'));
  const ports = {
    api: options.ports?.api ?? (await freePort()),
    s3: options.ports?.s3 ?? (await freePort()),
    dynamodb: options.ports?.dynamodb ?? (await freePort()),
  };
  const args = ['start', '--', '--port', `${ports.api}`, '--s3-port', `${ports.s3}`, '--dynamodb-port', `${ports.dynamodb}`];
  args.push('--data-dir', dataDir, ...(options.extraArgs ?? []));
  // Its own process group, as a terminal would give it, so a group signal reaches npm, node and java.
  const npm = spawn('npm', args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  npm.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string | null>((resolve) => npm.once('exit', (code, signal) => resolve(code ?? signal)));
  const known = new Set<number>([npm.pid!]);
  const pids = () => {
    const node = readPid(dataDir, SERVICE_PID_FILE);
    const java = readPid(dataDir, DYNAMODB_PID_FILE);
    known.add(node).add(java);
    return { node, java };
  };
  return {
    npm,
    npmPid: npm.pid!,
    ports,
    dataDir,
    output: () => output,
    exited,
    pids,
    async cleanUp() {
      for (const pid of known) if (pid > 0 && isAlive(pid)) kill(pid, 'SIGKILL');
      kill(-npm.pid!, 'SIGKILL');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the output says the service is up; fails with the output when npm exits first. */
export async function untilRunning(start: NpmStart, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let done = false;
  void start.exited.then(() => (done = true));
  while (!start.output().includes('s3-torrent is running locally')) {
    if (done) throw new Error(`npm start exited before it was running:\n${start.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start was not running after ${timeoutMs} ms:\n${start.output()}`);
    await sleep(100);
  }
}

function readPid(dir: string, name: string): number {
  return (JSON.parse(readFileSync(join(dir, name), 'utf8')) as PidRecord).pid;
}

/** Whether anything accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until none of `pids` is alive and nothing listens on `ports`; returns the survivors otherwise. */
export async function untilGone(pids: number[], ports: number[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const survivors = pids.filter(isAlive).map((pid) => `pid ${pid}`);
    for (const port of ports) if (await listening(port)) survivors.push(`port ${port}`);
    if (survivors.length === 0 || Date.now() > deadline) return survivors;
    await sleep(200);
  }
}

export function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
