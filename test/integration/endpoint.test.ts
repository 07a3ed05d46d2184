import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../local/s3';
import { bdecode } from '../../lambdas/core/bencode';
import { encodeInfoV1, infoHashV1 } from '../../lambdas/core/info-dict';
import { hashPieces } from '../../lambdas/core/piece-hasher';
import { pieceLengthFor } from '../../lambdas/core/piece-length';
import { putObject, startTestService, testBytes, createBucket, uniqueSuffix } from '../support/service';

type Service = Awaited<ReturnType<typeof startTestService>>;

const str = (b: unknown) => Buffer.from(b as Uint8Array).toString();

async function getTorrent(service: Service, path: string) {
  const res = await fetch(`${service.apiUrl}${path}`, { redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  return {
    res,
    body,
    torrent: res.headers.get('content-type') === 'application/x-bittorrent' ? (bdecode(body) as Record<string, unknown>) : undefined,
  };
}

function expectedInfoHash(data: Buffer, name: string): string {
  const pieceLength = pieceLengthFor(data.length);
  return Buffer.from(infoHashV1(encodeInfoV1({ name, length: data.length, pieceLength, pieces: hashPieces(data, pieceLength) }))).toString(
    'hex',
  );
}

describe('GET /{bucket}/{key}?torrent', () => {
  let service: Service;
  beforeAll(async () => {
    // Without the hashing workflow, objects above the inline limit are refused (413); with it they
    // answer 202 (test/integration/workflow.test.ts).
    service = await startTestService({ inlineHashLimit: 8 * 1024 * 1024, workflow: false });
  });
  afterAll(() => service.stop());

  it('answers a v1 torrent with our tracker, a web seed and mktorrent-compatible info', async () => {
    const data = testBytes(300_000, 1);
    await putObject(service.clients, service.bucket, 'dir/sub/movie.mkv', data);
    const { res, torrent } = await getTorrent(service, `/${service.bucket}/dir/sub/movie.mkv?torrent`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="movie.mkv.torrent"');
    expect(torrent).toBeDefined();
    const info = torrent!.info as Record<string, unknown>;
    expect(Object.keys(info).sort()).toEqual(['length', 'name', 'piece length', 'pieces']);
    expect(str(info.name)).toBe('movie.mkv');
    expect(info.length).toBe(300_000);
    expect(info['piece length']).toBe(32 * 1024);
    expect(str(torrent!.announce)).toBe(`${service.apiUrl}/announce`);
    expect((torrent!['url-list'] as Uint8Array[]).map(str)).toEqual([`${service.apiUrl}/-/webseed/${service.bucket}/dir/sub/movie.mkv`]);
    expect(str(torrent!['created by'])).toMatch(/^s3-torrent\//);
    expect(typeof torrent!['creation date']).toBe('number');
    expect(res.headers.get('x-torrent-infohash')).toBe(expectedInfoHash(data, 'movie.mkv'));
  });

  it('serves the second request from the cache, unchanged', async () => {
    await putObject(service.clients, service.bucket, 'cached.bin', testBytes(50_000, 2));
    const first = await getTorrent(service, `/${service.bucket}/cached.bin?torrent`);
    const second = await getTorrent(service, `/${service.bucket}/cached.bin?torrent`);
    expect(first.res.headers.get('x-torrent-cache')).toBe('miss');
    expect(second.res.headers.get('x-torrent-cache')).toBe('hit');
    expect(second.body.equals(first.body)).toBe(true);
  });

  it('never serves a stale torrent after the object is overwritten', async () => {
    const key = 'changing.bin';
    const v1 = testBytes(70_000, 3);
    const v2 = testBytes(70_000, 4);
    await putObject(service.clients, service.bucket, key, v1);
    const before = await getTorrent(service, `/${service.bucket}/${key}?torrent`);
    await putObject(service.clients, service.bucket, key, v2);
    const after = await getTorrent(service, `/${service.bucket}/${key}?torrent`);
    expect(before.res.headers.get('x-torrent-infohash')).toBe(expectedInfoHash(v1, key));
    expect(after.res.headers.get('x-torrent-cache')).toBe('miss');
    expect(after.res.headers.get('x-torrent-infohash')).toBe(expectedInfoHash(v2, key));
  });

  it('keys with spaces and unicode round-trip through the path and the web seed URL', async () => {
    const key = 'my files/ünï cødé #1.bin';
    await putObject(service.clients, service.bucket, key, testBytes(1000, 5));
    const path = `/${service.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const { res, torrent } = await getTorrent(service, `${path}?torrent`);
    expect(res.status).toBe(200);
    expect(str((torrent!.info as Record<string, unknown>).name)).toBe('ünï cødé #1.bin');
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''%C3%BCn%C3%AF%20c%C3%B8d%C3%A9%20%231.bin.torrent");
    const webSeed = str((torrent!['url-list'] as Uint8Array[])[0]);
    expect(webSeed).toBe(`${service.apiUrl}/-/webseed${path}`);
    const seed = await fetch(webSeed, { redirect: 'follow' });
    expect(seed.status).toBe(200);
    expect(Buffer.from(await seed.arrayBuffer()).equals(testBytes(1000, 5))).toBe(true);
  });

  it('HEAD answers the torrent headers without a body', async () => {
    await putObject(service.clients, service.bucket, 'head.bin', testBytes(10, 6));
    const res = await fetch(`${service.apiUrl}/${service.bucket}/head.bin?torrent`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-bittorrent');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('without ?torrent redirects to a presigned URL of the object (GET and HEAD)', async () => {
    const data = testBytes(5000, 7);
    await putObject(service.clients, service.bucket, 'front.bin', data);
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(`${service.apiUrl}/${service.bucket}/front.bin`, { method, redirect: 'manual' });
      expect(res.status).toBe(307);
      const location = res.headers.get('location')!;
      expect(location).toContain('X-Amz-Signature=');
      expect(location).toContain('X-Amz-Expires=21600');
    }
    const followed = await fetch(`${service.apiUrl}/${service.bucket}/front.bin`);
    expect(Buffer.from(await followed.arrayBuffer()).equals(data)).toBe(true);
  });

  it('the web seed honours Range through the redirect, as BEP 19 clients need', async () => {
    const data = testBytes(100_000, 8);
    await putObject(service.clients, service.bucket, 'ranged.bin', data);
    const res = await fetch(`${service.apiUrl}/-/webseed/${service.bucket}/ranged.bin`, { headers: { range: 'bytes=1000-1999' } });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(1000, 2000))).toBe(true);
  });

  describe('errors', () => {
    const json = async (path: string) => {
      const res = await fetch(`${service.apiUrl}${path}`, { redirect: 'manual' });
      expect(res.headers.get('content-type')).toBe('application/json');
      return { status: res.status, body: (await res.json()) as { code: string; message: string; requestId: string } };
    };

    it('404 NoSuchKey for a missing key', async () => {
      const { status, body } = await json(`/${service.bucket}/missing.bin?torrent`);
      expect(status).toBe(404);
      expect(body.code).toBe('NoSuchKey');
      expect(body.requestId).toMatch(/[0-9a-f-]{36}/);
    });

    it('404 NoSuchBucket for a missing bucket', async () => {
      const { status, body } = await json(`/no-such-bucket-${uniqueSuffix()}/x.bin?torrent`);
      expect(status).toBe(404);
      expect(body.code).toBe('NoSuchBucket');
    });

    it('422 for a zero-byte object', async () => {
      await putObject(service.clients, service.bucket, 'empty.bin', new Uint8Array(0));
      const { status, body } = await json(`/${service.bucket}/empty.bin?torrent`);
      expect(status).toBe(422);
      expect(body.code).toBe('EmptyObject');
      expect(body.message).toMatch(/zero-byte/);
    });

    it('413 naming the limit for an object above the inline hashing limit', async () => {
      await putObject(service.clients, service.bucket, 'big.bin', testBytes(8 * 1024 * 1024 + 1, 9));
      const { status, body } = await json(`/${service.bucket}/big.bin?torrent`);
      expect(status).toBe(413);
      expect(body.code).toBe('ObjectTooLargeForInlineHashing');
      expect(body.message).toContain(String(8 * 1024 * 1024));
    });

    it('400 for an invalid bucket name', async () => {
      const { status, body } = await json(`/Not_A_Bucket/x?torrent`);
      expect(status).toBe(400);
      expect(body.code).toBe('InvalidBucketName');
    });

    it('400 for a key longer than S3 allows', async () => {
      const { status, body } = await json(`/${service.bucket}/${'k'.repeat(1025)}?torrent`);
      expect(status).toBe(400);
      expect(body.code).toBe('KeyTooLongError');
    });
  });
});

describe('bucket allowlist', () => {
  let service: Service;
  let other: string;
  beforeAll(async () => {
    const bucket = `allowed-${uniqueSuffix()}`;
    service = await startTestService({ bucket, sources: `${bucket}/public/` });
    other = `other-${uniqueSuffix()}`;
    await createBucket(service.clients, other);
    await putObject(service.clients, bucket, 'public/a.bin', testBytes(100, 1));
    await putObject(service.clients, bucket, 'private/a.bin', testBytes(100, 1));
    await putObject(service.clients, other, 'public/a.bin', testBytes(100, 1));
  });
  afterAll(() => service.stop());

  it('serves keys under an allowed prefix', async () => {
    const res = await fetch(`${service.apiUrl}/${service.bucket}/public/a.bin?torrent`);
    expect(res.status).toBe(200);
  });

  it.each([
    ['a key outside the prefix', (s: Service) => `/${s.bucket}/private/a.bin?torrent`],
    ['another bucket', () => `/${other}/public/a.bin?torrent`],
    ['the web seed of another bucket', () => `/-/webseed/${other}/public/a.bin`],
    ['the front door of another bucket', () => `/${other}/public/a.bin`],
  ])('403 for %s', async (_what, path) => {
    const res = await fetch(`${service.apiUrl}${path(service)}`, { redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('AccessDenied');
  });
});

describe('unexpected failures', () => {
  it('become a generic 500 that leaks nothing', async () => {
    const service = await startTestService();
    try {
      await putObject(service.clients, service.bucket, 'x.bin', testBytes(10, 1));
      // Deleting the torrent table under the running service makes the cache fail in a way no
      // ServiceError describes. (DynamoDB Local namespaces tables by access key: same credentials.)
      const raw = new DynamoDBClient({ endpoint: service.dynamoDbEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
      await raw.send(new DeleteTableCommand({ TableName: service.names.torrentTable }));
      raw.destroy();
      const res = await fetch(`${service.apiUrl}/${service.bucket}/x.bin?torrent`);
      const body = (await res.json()) as Record<string, string>;
      expect(res.status).toBe(500);
      expect(body.code).toBe('InternalError');
      expect(body.requestId).toMatch(/[0-9a-f-]{36}/);
      expect(JSON.stringify(body)).not.toMatch(/table|dynamo|ResourceNotFound/i);
    } finally {
      await service.stop();
    }
  });
});
