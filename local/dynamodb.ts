import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, waitFor } from './ports';

export interface LocalDynamoDb {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** The official DynamoDB Local jar, as shipped inside the amplify-dynamodb-simulator package. */
export function dynamoDbLocalJar(): string {
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator', 'DynamoDBLocal.jar');
}

/**
 * Starts DynamoDB Local on the machine's Java: in memory, or persisted under `dataDirectory`.
 * It binds every interface (it has no bind-address option), so it gets a random high port and is
 * stopped by PID.
 */
export async function startDynamoDbLocal(options: { port?: number; dataDirectory?: string } = {}): Promise<LocalDynamoDb> {
  const port = options.port ?? (await freePort());
  const jar = dynamoDbLocalJar();
  const storage = options.dataDirectory === undefined ? ['-inMemory'] : ['-sharedDb', '-dbPath', options.dataDirectory];
  if (options.dataDirectory !== undefined) mkdirSync(options.dataDirectory, { recursive: true });
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const child: ChildProcess = spawn(
    java,
    [
      '-Xmx512m',
      `-Djava.library.path=${join(dirname(jar), 'DynamoDBLocal_lib')}`,
      '-jar',
      jar,
      '-port',
      String(port),
      ...storage,
      '-disableTelemetry',
    ],
    // It writes dynamodb-local-metadata.json into its working directory: keep that out of the repo.
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: options.dataDirectory ?? tmpdir() },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  child.on('error', (err) => (exited = `failed to start: ${err.message}`));

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
    throw new Error(`${(err as Error).message}${exited ? ` (java ${exited}: ${stderr.trim()})` : ''}`);
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    pid: child.pid ?? -1,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
