import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../local/ports';

const REPO = join(__dirname, '..', '..');

/** `npm start` as a real process group (npm, sh, node with s3rver, DynamoDB Local's java). */
export interface NpmStart {
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
}

export async function freePorts(): Promise<NpmStartPorts> {
  return { api: await freePort(), s3: await freePort(), dynamoDb: await freePort() };
}

/**
 * Runs `npm start -- --port .. --s3-port .. --dynamodb-port .. <args>` and waits until it says it
 * is running. Use your own data dir in /tmp (`--data-dir`) or `--memory`.
 */
export async function npmStart(ports: NpmStartPorts, args: readonly string[], timeoutMs = 120_000): Promise<NpmStart> {
  const child: ChildProcess = spawn(
    'npm',
    ['start', '--', '--port', String(ports.api), '--s3-port', String(ports.s3), '--dynamodb-port', String(ports.dynamoDb), ...args],
    { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
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
  const portsFree = () => waitForPortsFree([ports.api, ports.s3, ports.dynamoDb], 30_000);

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
