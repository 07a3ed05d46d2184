import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS } from '../../local/s3';
import { freePorts, npmStart, type ReadyNpmStart } from '../support/npm-start';
import { haveLibtorrent, run } from '../support/programs';
import { testBytes } from '../support/service';

// `npm run smoke` against `npm start`, both real processes, as an operator would run them.
let service: ReadyNpmStart | undefined;
let apiUrl: string;
let dataDir: string;
const libtorrent = haveLibtorrent();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'smoke-test-'));
  // Its own process group (npm, node, DynamoDB Local), stopped with Ctrl-C at the end.
  service = await npmStart(await freePorts(), ['--data-dir', dataDir], 60_000);
  apiUrl = service.apiUrl;
  const s3 = new S3Client({
    endpoint: service.s3Endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  await s3.send(new PutObjectCommand({ Bucket: 'demo', Key: 'smoke/data.bin', Body: testBytes(2_500_000, 7) }));
  s3.destroy();
}, 90_000);

afterAll(async () => {
  await service?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

const smoke = (...args: string[]) => run('npm', ['run', '-s', 'smoke', '--', ...args], 180_000);

it('passes every check against a working deployment, with a readable summary', async () => {
  const out = await smoke(apiUrl, 'demo', 'smoke/data.bin');
  expect({ status: out.status, stderr: out.stderr }).toEqual({ status: 0, stderr: '' });
  expect(out.stdout).toMatch(/ok {4}torrent {5}"data.bin", 2500000 bytes, \d+ pieces of \d+, infohash [0-9a-f]{40}/);
  // npm start's web seeds are on its gateway (the local CloudFront): no redirect, as on CloudFront.
  expect(out.stdout).toMatch(/ok {4}web seed {4}bytes 0-\d+: 206, SHA-1 matches piece 0/);
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
