import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../../local/ports';
import { LOCAL_CREDENTIALS } from '../../local/s3';
import { haveLibtorrent, run } from '../support/programs';
import { testBytes } from '../support/service';

// `npm run smoke` against `npm start`, both real processes, as an operator would run them.
const ROOT = join(__dirname, '..', '..');
let service: ChildProcess;
let apiUrl: string;
let dataDir: string;
const libtorrent = haveLibtorrent();

beforeAll(async () => {
  const [port, s3Port, dynamoDbPort] = [await freePort(), await freePort(), await freePort()];
  dataDir = mkdtempSync(join(tmpdir(), 'smoke-test-'));
  // Its own process group, so the whole of it (npm, sh, node, DynamoDB Local) is stopped at the end.
  service = spawn(
    'npm',
    ['start', '--', '--port', String(port), '--s3-port', String(s3Port), '--dynamodb-port', String(dynamoDbPort), '--data-dir', dataDir],
    { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('s3-torrent is running locally')) {
        clearTimeout(timer);
        resolve();
      }
    };
    service.stdout!.on('data', onData);
    service.stderr!.on('data', onData);
    service.on('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
  });
  apiUrl = `http://127.0.0.1:${port}`;
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${s3Port}`,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  await s3.send(new PutObjectCommand({ Bucket: 'demo', Key: 'smoke/data.bin', Body: testBytes(2_500_000, 7) }));
  s3.destroy();
}, 90_000);

afterAll(async () => {
  if (service?.pid !== undefined && service.exitCode === null) {
    const exited = new Promise((resolve) => service.on('exit', resolve));
    process.kill(-service.pid, 'SIGINT');
    const timer = setTimeout(() => process.kill(-service.pid!, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

const smoke = (...args: string[]) => run('npm', ['run', '-s', 'smoke', '--', ...args], 180_000);

it('passes every check against a working deployment, with a readable summary', async () => {
  const out = await smoke(apiUrl, 'demo', 'smoke/data.bin');
  expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
  expect(out.stdout).toMatch(/ok {4}torrent {5}"data.bin", 2500000 bytes, \d+ pieces of \d+, infohash [0-9a-f]{40}/);
  expect(out.stdout).toMatch(/ok {4}web seed {4}bytes 0-\d+: 206, redirected to 127\.0\.0\.1:\d+, SHA-1 matches piece 0/);
  expect(out.stdout).toMatch(/ok {4}announce {4}registered: interval 1800 s/);
  expect(out.stdout).toMatch(/ok {4}scrape {6}complete 0, incomplete 1, downloaded 0/);
  if (libtorrent) expect(out.stdout).toMatch(/ok {4}libtorrent {2}downloaded 2500000 bytes, every piece verified/);
  expect(out.stdout).toMatch(/^PASSED: \d checks passed/m);
}, 200_000);

it('fails with the service’s own message and a non-zero exit when the object is missing', async () => {
  const out = await smoke('--no-libtorrent', apiUrl, 'demo', 'smoke/missing.bin');
  expect(out.status).toBe(1);
  expect(out.stdout).toMatch(/FAIL {2}torrent {5}GET .*\/demo\/smoke\/missing\.bin\?torrent answered 404: .*NoSuchKey/);
  expect(out.stdout).toMatch(/skip {2}web seed {4}not run: torrent failed/);
  expect(out.stdout).toMatch(/^FAILED: 1 failed, 0 passed, 4 skipped\./m);
});

it('answers bad usage with exit 2 and the usage text', async () => {
  const out = await smoke('not-a-url', 'demo', 'x');
  expect(out.status).toBe(2);
  expect(out.stderr).toMatch(/Usage: npm run smoke/);
});
