import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store';
import { parseTorrentFile } from '../../lambdas/core/metainfo';
import { CLI, runCliWithLocalS3 } from '../support/cli';
import { run } from '../support/programs';
import { putObject, startTestService, testBytes } from '../support/service';

const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString('hex') : undefined);

describe('s3-torrent create and verify from s3:// objects and http(s) URLs', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let dir: string;
  let plain: Server;
  let plainUrl: string;
  const data = testBytes(2 * 1024 * 1024 + 999, 77);
  const KEY = 'media/a clip.mp4';

  // The CLI in its own process, with the stand-in's credentials in the environment (the SDK's default chain).
  const cli = (args: string[]) => runCliWithLocalS3(args);

  beforeAll(async () => {
    service = await startTestService();
    dir = mkdtempSync(join(tmpdir(), 'cli-remote-'));
    await putObject(service.clients, service.bucket, KEY, data);
    // A server that ignores Range and sends the whole body every time.
    plain = createServer((req, res) => {
      if (req.url === '/forbidden.bin') {
        res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
        return;
      }
      res.writeHead(200, { 'content-length': data.length }).end(data);
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await service.stop();
    await new Promise((resolve) => plain.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('s3:// (with --endpoint-url) gives the torrent the endpoint gives, for every format', async () => {
    for (const [format, version] of [
      ['v1', '1'],
      ['v2', '2'],
      ['hybrid', 'hybrid'],
    ] as const) {
      const out = join(dir, `s3-${format}.torrent`);
      const r = await cli(['create', `--${format}`, '--endpoint-url', service.s3Endpoint, '-o', out, `s3://${service.bucket}/${KEY}`]);
      expect(r).toMatchObject({ status: 0, stderr: '' });
      const ours = parseTorrentFile(readFileSync(out));
      const res = await fetch(`${service.apiUrl}/${service.bucket}/${encodeURI(KEY)}?torrent&version=${version}`);
      const endpoint = parseTorrentFile(Buffer.from(await res.arrayBuffer()));
      expect(ours.name).toBe('a clip.mp4');
      expect({ v1: hex(ours.infoHashV1), v2: hex(ours.infoHashV2) }).toEqual({
        v1: hex(endpoint.infoHashV1),
        v2: hex(endpoint.infoHashV2),
      });
    }
  });

  it('AWS_ENDPOINT_URL_S3 works like --endpoint-url, and verify reads s3:// too', async () => {
    const out = join(dir, 'env.torrent');
    const env = [`AWS_ENDPOINT_URL_S3=${service.s3Endpoint}`];
    const withEnv = (args: string[]) =>
      run(
        'env',
        [...env, `AWS_ACCESS_KEY_ID=S3RVER`, `AWS_SECRET_ACCESS_KEY=S3RVER`, 'AWS_REGION=us-east-1', process.execPath, CLI, ...args],
        60_000,
      );
    expect(await withEnv(['create', '--hybrid', '-o', out, `s3://${service.bucket}/${KEY}`])).toMatchObject({ status: 0 });
    expect(await withEnv(['verify', out, `s3://${service.bucket}/${KEY}`])).toMatchObject({
      status: 0,
      stdout: expect.stringContaining('pieces match'),
    });
  });

  it('a presigned GET URL (HEAD is not signed): size from a one-byte range, then parallel ranges', async () => {
    const url = await new S3ObjectStore(service.clients.s3).presignGet(service.bucket, KEY, { expiresInSeconds: 600 });
    const out = join(dir, 'presigned.torrent');
    const r = await cli(['create', '--hybrid', '-t', '4', '-o', out, url]);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    const meta = parseTorrentFile(readFileSync(out));
    expect(meta).toMatchObject({ name: 'a clip.mp4', totalLength: data.length });
    expect(await cli(['verify', out, url])).toMatchObject({ status: 0 });
  });

  it('a server that ignores Range: read in one stream, same torrent', async () => {
    const out = join(dir, 'plain.torrent');
    expect(await cli(['create', '-o', out, `${plainUrl}/dir/a%20clip.mp4`])).toMatchObject({ status: 0, stderr: '' });
    const viaS3 = join(dir, 's3-v1.torrent');
    expect(hex(parseTorrentFile(readFileSync(out)).infoHashV1)).toBe(hex(parseTorrentFile(readFileSync(viaS3)).infoHashV1));
  });

  it.each([
    ['a missing object', () => [`s3://BUCKET/missing.bin`], /does not exist/],
    ['a missing bucket', () => [`s3://no-such-bucket-for-cli/x.bin`], /does not exist/],
    ['a forbidden URL', () => [`${plainUrl}/forbidden.bin`], /HTTP 403 \(AccessDenied\)/],
    ['an unreachable URL', () => ['http://127.0.0.1:9/x.bin'], /cannot reach/],
  ])('exits 3 for %s', async (_label, args, message) => {
    const r = await cli(['create', '--endpoint-url', service.s3Endpoint, ...args().map((a) => a.replace('BUCKET', service.bucket))]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(message);
  });
});
