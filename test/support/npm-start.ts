import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
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
  /** Every port it listens on by default (the web-seed gateway is on unless `--web-seed redirect`). */
  readonly ports: { api: number; s3: number; dynamodb: number; gateway: number };
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
    gateway: options.ports?.gateway ?? (await freePort()),
  };
  const args = ['start', '--', '--port', `${ports.api}`, '--s3-port', `${ports.s3}`, '--dynamodb-port', `${ports.dynamodb}`];
  args.push('--gateway-port', `${ports.gateway}`);
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

// A started service for tests that only need its URLs, a crash (kill) or Ctrl-C (stop).

/** `npm start` as a real process group (npm, sh, node with s3rver, DynamoDB Local's java). */
export interface ReadyNpmStart {
  readonly apiUrl: string;
  readonly s3Endpoint: string;
  /** What it printed so far (for failure messages). */
  output(): string;
  /** SIGKILL to the whole group, as a machine crash or an OOM kill would; resolves once its ports are free. */
  kill(): Promise<void>;
  /** Ctrl-C (SIGINT to the group), then SIGKILL if it has not exited after 15 s. */
  stop(): Promise<void>;
}

export interface NpmStartPorts {
  readonly api: number;
  readonly s3: number;
  readonly dynamoDb: number;
  /** The web-seed gateway (the local CloudFront), on by default. */
  readonly gateway: number;
}

export async function freePorts(): Promise<NpmStartPorts> {
  return { api: await freePort(), s3: await freePort(), dynamoDb: await freePort(), gateway: await freePort() };
}

/**
 * Runs `npm start -- --port .. --s3-port .. --dynamodb-port .. --gateway-port .. <args>` and waits until it says it
 * is running. Use your own data dir in /tmp (`--data-dir`) or `--memory`.
 */
export async function npmStart(ports: NpmStartPorts, args: readonly string[], timeoutMs = 120_000): Promise<ReadyNpmStart> {
  const child: ChildProcess = spawn(
    'npm',
    [
      'start',
      '--',
      '--port',
      String(ports.api),
      '--s3-port',
      String(ports.s3),
      '--dynamodb-port',
      String(ports.dynamoDb),
      '--gateway-port',
      String(ports.gateway),
      ...args,
    ],
    { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const group = child.pid!;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-group, name);
    } catch {
      // the group is gone already
    }
  };
  const portsFree = () => waitForPortsFree([ports.api, ports.s3, ports.dynamoDb, ports.gateway], 30_000);

  const ready = await Promise.race([
    (async () => {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes('Press Ctrl-C to stop.')) {
        if (Date.now() > deadline) return `did not start within ${timeoutMs} ms`;
        await new Promise((r) => setTimeout(r, 100));
      }
      return 'ready';
    })(),
    exited.then(() => 'exited before it was ready'),
  ]);
  if (ready !== 'ready') {
    signal('SIGKILL');
    await exited;
    throw new Error(`npm start ${ready}:\n${output}`);
  }
  return {
    apiUrl: /HTTP API\s+(\S+)/.exec(output)![1]!,
    s3Endpoint: /S3\s+(http\S+)/.exec(output)![1]!,
    output: () => output,
    async kill() {
      signal('SIGKILL');
      await exited;
      await portsFree();
    },
    async stop() {
      signal('SIGINT');
      const forced = setTimeout(() => signal('SIGKILL'), 15_000);
      await exited;
      clearTimeout(forced);
      // npm exits first; its node and java children may take a moment longer.
      await portsFree().catch(() => signal('SIGKILL'));
    },
  };
}

/** Resolves once nothing listens on these ports any more (a killed group's sockets are closed). */
async function waitForPortsFree(ports: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await canListen(port))) {
      if (Date.now() > deadline) throw new Error(`port ${port} is still in use`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // DynamoDB Local binds every interface: so does this check.
    server.listen(port, () => server.close(() => resolve(true)));
  });
}
