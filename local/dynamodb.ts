import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, waitFor } from './ports';
import { portInUse } from './processes';

export interface LocalDynamoDb {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
  /** SIGKILL at once, synchronously: for a process that is exiting and cannot wait. */
  kill(): void;
}

/** The official DynamoDB Local jar, as shipped inside the amplify-dynamodb-simulator package. */
export function dynamoDbLocalJar(): string {
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator', 'DynamoDBLocal.jar');
}

/**
 * Java outlives a parent that is killed outright (SIGKILL, a crash): nothing would stop it. On
 * Linux, util-linux's `setpriv --pdeathsig` makes the kernel send it SIGKILL when its parent dies
 * (setpriv then execs java, so the PID is java's own). Elsewhere java runs plainly and the next start
 * finds it through the PID file (see stale-runs.ts).
 */
function dieWithParent(command: string, args: string[]): [string, string[]] {
  return hasSetpriv() ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
}

const SETPRIV = '/usr/bin/setpriv';
let setprivPresent: boolean | undefined;
const hasSetpriv = () => (setprivPresent ??= process.platform === 'linux' && existsSync(SETPRIV));

/**
 * Starts DynamoDB Local on the machine's Java: in memory, or persisted under `dataDirectory`.
 * It binds every interface (it has no bind-address option), so it gets a random high port and is
 * stopped by PID.
 */
export async function startDynamoDbLocal(options: { port?: number; dataDirectory?: string } = {}): Promise<LocalDynamoDb> {
  // Without this check, a DynamoDB Local left on the port would answer the readiness probe below
  // before the new one fails to bind, and the service would silently use the old one.
  if (options.port !== undefined && (await portInUse(options.port))) throw new Error(`port ${options.port} is already in use`);
  const port = options.port ?? (await freePort());
  const jar = dynamoDbLocalJar();
  const storage = options.dataDirectory === undefined ? ['-inMemory'] : ['-sharedDb', '-dbPath', options.dataDirectory];
  if (options.dataDirectory !== undefined) mkdirSync(options.dataDirectory, { recursive: true });
  // Java's own temporary files (the extracted sqlite4java library, dynamodb-local-metadata.json in
  // its working directory) go to a directory of its own, removed when it stops; beside the data when
  // there is some, so even a java killed outright leaves nothing in the system's temp directory.
  const scratch =
    options.dataDirectory === undefined ? mkdtempSync(join(tmpdir(), 's3-torrent-dynamodb-')) : `${options.dataDirectory}.tmp`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const child: ChildProcess = spawn(
    ...dieWithParent(java, [
      '-Xmx512m',
      '-XX:-UsePerfData',
      `-Djava.io.tmpdir=${scratch}`,
      `-Djava.library.path=${join(dirname(jar), 'DynamoDBLocal_lib')}`,
      '-jar',
      jar,
      '-port',
      String(port),
      ...storage,
      '-disableTelemetry',
    ]),
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: scratch },
  );
  const gone = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
    removeScratch();
  });
  child.on('error', (err) => {
    exited = `failed to start: ${err.message}`;
    removeScratch();
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await waitFor(
      'DynamoDB Local',
      async () => {
        if (exited) throw new Error(`DynamoDB Local ${exited}: ${stderr}`);
        await client.send(new ListTablesCommand({}));
        return true;
      },
      60_000,
    );
  } catch (err) {
    child.kill('SIGKILL');
    await gone;
    throw new Error(`${(err as Error).message}${exited ? ` (java ${exited}: ${stderr.trim()})` : ''}`);
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    pid: child.pid ?? -1,
    stop: async () => {
      if (exited === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(timer);
      }
    },
    kill: () => {
      if (exited === undefined) child.kill('SIGKILL');
      // The exit event that would remove it never comes when this process is exiting.
      removeScratch();
    },
  };
}
