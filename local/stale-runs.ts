import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine, isAlive, listenerPids, portInUse, stopProcess } from './processes';

/**
 * What `npm start` leaves in its data directory so the next start can tell a clean slate from a
 * crashed run: one PID file per process it owns. A DynamoDB Local whose service is gone is stopped;
 * a service still running, or a port held by anything else, is reported and the start refused, so
 * a new service never silently talks to an old process.
 */
export const SERVICE_PID_FILE = 's3-torrent.pid';
export const DYNAMODB_PID_FILE = 'dynamodb-local.pid';

export interface PidRecord {
  readonly pid: number;
  readonly ports: Record<string, number>;
}

export function writePidFile(directory: string, name: string, record: PidRecord): () => void {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, name);
  writeFileSync(file, `${JSON.stringify(record)}\n`);
  return () => {
    // Only our own record: a later start may have replaced it.
    if (readPidFile(directory, name)?.pid === record.pid) rmSync(file, { force: true });
  };
}

export function readPidFile(directory: string, name: string): PidRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(join(directory, name), 'utf8')) as PidRecord;
    return Number.isSafeInteger(record.pid) && record.pid > 0 ? record : undefined;
  } catch {
    return undefined;
  }
}

export class PortsInUseError extends Error {}

/**
 * Clears what a crashed run left in `dataDirectory` and checks that `ports` are free. Returns what
 * it did, one sentence each; throws when the start cannot go on.
 */
export async function clearStaleRun(dataDirectory: string | undefined, ports: Record<string, number | undefined>): Promise<string[]> {
  const notes: string[] = [];
  if (dataDirectory !== undefined) {
    const service = readPidFile(dataDirectory, SERVICE_PID_FILE);
    // Where /proc is missing the command is unknown: a live PID is then taken to be the service.
    const command = service ? commandLine(service.pid) : '';
    if (service && service.pid !== process.pid && isAlive(service.pid) && (command === '' || command.includes('local.ts'))) {
      throw new PortsInUseError(
        `s3-torrent is already running with the data directory ${dataDirectory} (pid ${service.pid}, ports ${describePorts(service.ports)}). ` +
          `Stop it first (kill ${service.pid}), or start this one with another --data-dir and other ports.`,
      );
    }
    if (service) rmSync(join(dataDirectory, SERVICE_PID_FILE), { force: true });
    const dynamo = readPidFile(dataDirectory, DYNAMODB_PID_FILE);
    if (dynamo && isAlive(dynamo.pid) && commandLine(dynamo.pid).includes('DynamoDBLocal')) {
      await stopProcess(dynamo.pid);
      const port = dynamo.ports.dynamodb;
      for (let i = 0; port !== undefined && i < 50 && (await portInUse(port)); i++) await new Promise((r) => setTimeout(r, 100));
      notes.push(`Stopped DynamoDB Local (pid ${dynamo.pid}, port ${dynamo.ports.dynamodb ?? '?'}) left running by an earlier start.`);
    }
    if (dynamo) rmSync(join(dataDirectory, DYNAMODB_PID_FILE), { force: true });
  }
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (port === undefined || port === 0 || !(await portInUse(port))) continue;
    const holders = listenerPids(port).map((pid) => `pid ${pid}: ${commandLine(pid).slice(0, 160) || 'unknown command'}`);
    busy.push(`${name} port ${port} is in use${holders.length > 0 ? ` (${holders.join('; ')})` : ''}`);
  }
  if (busy.length > 0) {
    throw new PortsInUseError(`${busy.join('; ')}. Stop what holds it, or choose other ports (npm start -- --help).`);
  }
  return notes;
}

const describePorts = (ports: Record<string, number>) =>
  Object.entries(ports)
    .map(([name, port]) => `${name} ${port}`)
    .join(', ');
