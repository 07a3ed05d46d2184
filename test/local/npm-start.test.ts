import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dynamoDbLocalJar } from '../../local/dynamodb';
import { freePort } from '../../local/ports';
import { isAlive } from '../../local/processes';
import { DYNAMODB_PID_FILE } from '../../local/stale-runs';
import { kill, listening, sleep, spawnNpmStart, untilGone, untilRunning, type NpmStart } from '../support/npm-start';

/**
 * `npm start` as a user runs it: real npm, node and DynamoDB Local processes. Every way of stopping
 * it must stop all three within seconds and free every port; a crashed run's leftovers are found.
 */
jest.setTimeout(240_000);

const STOP_WITHIN_MS = 15_000;
let current: NpmStart | undefined;
afterEach(async () => {
  await current?.cleanUp();
  current = undefined;
});

async function running(): Promise<NpmStart> {
  current = await spawnNpmStart();
  await untilRunning(current);
  return current;
}

type Target = 'npm' | 'node' | 'process group';
const cases: [NodeJS.Signals, Target][] = [
  ['SIGINT', 'npm'],
  ['SIGTERM', 'npm'],
  ['SIGINT', 'node'],
  ['SIGTERM', 'node'],
  ['SIGKILL', 'node'],
  // A terminal's Ctrl-C: SIGINT to the whole foreground process group.
  ['SIGINT', 'process group'],
];

test.each(cases)('%s to %s stops npm, node and DynamoDB Local and frees every port', async (signal, target) => {
  const start = await running();
  const { node, java } = start.pids();
  expect([start.npmPid, node, java].every(isAlive)).toBe(true);
  const ports = Object.values(start.ports);
  for (const port of ports) expect(await listening(port)).toBe(true);

  const pid = target === 'npm' ? start.npmPid : target === 'node' ? node : -start.npmPid;
  kill(pid, signal);

  expect(await untilGone([start.npmPid, node, java], ports, STOP_WITHIN_MS)).toEqual([]);
  await start.exited;
  if (signal !== 'SIGKILL') {
    expect(start.output()).toContain(`${signal}: stopping`);
    // A clean stop, not the forced one a second signal triggers (npm passes on the group's Ctrl-C):
    // the forced one skipped removing DynamoDB Local's scratch directory.
    expect(start.output()).not.toContain('again: stopping now');
    expect(existsSync(join(start.dataDir, 'dynamodb.tmp'))).toBe(false);
  }
});

test('a key segment over 255 bytes gets an S3 error from the local S3, ?torrent for it a 404, and the service keeps running', async () => {
  const start = await running();
  const s3 = `http://127.0.0.1:${start.ports.s3}`;
  const api = `http://127.0.0.1:${start.ports.api}`;
  const key = `k1024/${'k'.repeat(1018)}`;

  const put = await fetch(`${s3}/demo/${key}`, { method: 'PUT', body: 'hello' });
  expect(put.status).toBe(400);
  expect(await put.text()).toContain('<Code>KeyTooLongError</Code>');
  const get = await fetch(`${s3}/demo/${key}`);
  expect(get.status).toBe(404);
  expect(await get.text()).toContain('<Code>NoSuchKey</Code>');

  const torrent = await fetch(`${api}/demo/${key}?torrent`);
  expect(torrent.status).toBe(404);
  expect(((await torrent.json()) as { code: string }).code).toBe('NoSuchKey');

  // Still serving: an ordinary upload and its torrent.
  expect((await fetch(`${s3}/demo/ok.txt`, { method: 'PUT', body: 'still here' })).status).toBe(200);
  expect((await fetch(`${api}/demo/ok.txt?torrent`)).status).toBe(200);
  expect(start.pids().node).toBeGreaterThan(0);
  expect(isAlive(start.pids().node)).toBe(true);
});

test('a second start with the same data directory is refused and names the running one; the first keeps running', async () => {
  const first = await running();
  const { node } = first.pids();
  const second = await spawnNpmStart({ dataDir: first.dataDir });
  try {
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`s3-torrent is already running with the data directory ${first.dataDir} (pid ${node}`);
    expect(isAlive(node)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${first.ports.api}/demo/missing?torrent`)).status).toBe(404);
  } finally {
    await second.cleanUp();
  }
});

test('a port held by another program is reported with its PID, and that program is left alone', async () => {
  const port = await freePort();
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
  current = await spawnNpmStart({ ports: { s3: port } });
  try {
    expect(await current.exited).toBe(1);
    expect(current.output()).toContain(`port ${port} is in use (pid ${process.pid}:`);
    expect(await listening(port)).toBe(true);
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});

test('a DynamoDB Local left running by a crashed run (its PID file in the data directory) is stopped, not reused', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-stale-'));
  const port = await freePort();
  // What a run killed where nothing makes java die with it leaves: a DynamoDB Local and its PID file.
  const jar = dynamoDbLocalJar();
  const orphan: ChildProcess = spawn(
    'java',
    [
      '-XX:-UsePerfData',
      `-Djava.io.tmpdir=${dataDir}`,
      `-Djava.library.path=${join(dirname(jar), 'DynamoDBLocal_lib')}`,
      '-jar',
      jar,
      '-port',
      `${port}`,
      '-inMemory',
    ],
    { cwd: dataDir, stdio: 'ignore' },
  );
  try {
    writeFileSync(join(dataDir, DYNAMODB_PID_FILE), JSON.stringify({ pid: orphan.pid, ports: { dynamodb: port } }));
    while (!(await listening(port))) await sleep(200);

    current = await spawnNpmStart({ dataDir, ports: { dynamodb: port } });
    await untilRunning(current);
    expect(current.output()).toContain(`Stopped DynamoDB Local (pid ${orphan.pid}, port ${port}) left running by an earlier start.`);
    expect(isAlive(orphan.pid!)).toBe(false);
    expect(current.pids().java).not.toBe(orphan.pid);
    expect(isAlive(current.pids().java)).toBe(true);
  } finally {
    kill(orphan.pid!, 'SIGKILL');
    await current?.cleanUp();
    current = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
