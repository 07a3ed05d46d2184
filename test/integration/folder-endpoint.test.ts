import { generateKeyPairSync } from 'node:crypto';
import { verifyCloudFrontSignedUrl } from '../../lambdas/security/cloudfront-signed-urls';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { TorrentFormat } from '../../lambdas/core/build-info';
import { parseTorrentFile } from '../../lambdas/core/metainfo';
import { LinkSigner, signedObjectUrl } from '../../lambdas/security/signed-links';
import { referenceFolderInfo, type TreeFile } from '../support/folders';
import { putObject, startTestService, testBytes, uniqueSuffix } from '../support/service';

const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString('hex') : undefined);

describe('?torrent on a prefix: folder torrents', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  const bucket = `folders-${uniqueSuffix()}`;
  // Keys as an S3 console leaves them: nested paths, an empty object, a folder marker.
  const files: TreeFile[] = [
    { path: ['a.txt'], data: testBytes(40_000, 1) },
    { path: ['a', 'b.bin'], data: testBytes(100_000, 2) },
    { path: ['sub', 'deep', 'x'], data: testBytes(5, 3) },
    { path: ['empty'], data: Buffer.alloc(0) },
    { path: ['B'], data: testBytes(70_000, 4) },
  ];
  const total = files.reduce((n, f) => n + f.data.length, 0);

  beforeAll(async () => {
    service = await startTestService({
      bucket,
      sources: `${bucket}/data/,${bucket}/nested/,${bucket}/bad/,private:${bucket}/data/private-inside/,private:${bucket}/priv/`,
    });
    for (const f of files) await putObject(service.clients, bucket, `data/${f.path.join('/')}`, f.data);
    await putObject(service.clients, bucket, 'data/marker-only/', Buffer.alloc(0));
    await putObject(service.clients, bucket, 'nested/one/two/x.bin', testBytes(1000, 9));
  });
  afterAll(() => service.stop());

  const get = (path: string, init: RequestInit = {}) => fetch(`${service.apiUrl}${path}`, { redirect: 'manual', ...init });
  const torrentOf = async (path: string) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    return { res, meta: parseTorrentFile(Buffer.from(await res.arrayBuffer())) };
  };

  it.each(['v1', 'v2', 'hybrid'] as TorrentFormat[])(
    '%s: the torrent of data/ has the infohashes of the same folder hashed by the core',
    async (format) => {
      const version = { v1: '1', v2: '2', hybrid: 'hybrid' }[format];
      const { res, meta } = await torrentOf(`/${bucket}/data/?torrent&version=${version}`);
      const reference = referenceFolderInfo('data', files, meta.pieceLength, format, 'bep47');
      expect({ v1: hex(meta.infoHashV1), v2: hex(meta.infoHashV2) }).toEqual({
        v1: hex(reference.infoHashV1),
        v2: hex(reference.infoHashV2),
      });
      expect(meta.name).toBe('data');
      expect(meta.singleFile).toBe(false);
      expect(meta.files.filter((f) => !f.padding).map((f) => f.path.join('/'))).toEqual(['B', 'a/b.bin', 'a.txt', 'empty', 'sub/deep/x']);
      expect(meta.webSeeds).toEqual([`${service.apiUrl}/-/webseed/${bucket}/`]);
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="data.torrent"');
      expect(res.headers.get('x-torrent-files')).toBe('5');
    },
  );

  it('answers the same listing from the cache, for GET and HEAD', async () => {
    const again = await get(`/${bucket}/data/?torrent`);
    expect(again.headers.get('x-torrent-cache')).toBe('hit');
    const head = await get(`/${bucket}/data/?torrent&version=hybrid`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-torrent-cache')).toBe('hit');
    expect(head.headers.get('content-type')).toBe('application/x-bittorrent');
  });

  it('makes mktorrent`s layout on request (padding=none), v1 only', async () => {
    const { res, meta } = await torrentOf(`/${bucket}/data/?torrent&padding=none`);
    expect(hex(meta.infoHashV1)).toBe(hex(referenceFolderInfo('data', files, meta.pieceLength, 'v1', 'none').infoHashV1));
    expect(meta.files.some((f) => f.padding)).toBe(false);
    expect(res.headers.get('x-torrent-bytes-hashed')).toBe(String(total));
    expect((await get(`/${bucket}/data/?torrent&padding=none&version=2`)).status).toBe(400);
    expect((await get(`/${bucket}/data/?torrent&padding=zero`)).status).toBe(400);
  });

  it('names a nested folder after its last segment, with the web seed one level up', async () => {
    const { meta } = await torrentOf(`/${bucket}/nested/one/?torrent`);
    expect(meta.name).toBe('one');
    expect(meta.files.filter((f) => !f.padding).map((f) => f.path)).toEqual([['two', 'x.bin']]);
    expect(meta.webSeeds).toEqual([`${service.apiUrl}/-/webseed/${bucket}/nested/`]);
    const seed = await get(`/-/webseed/${bucket}/nested/one/two/x.bin`);
    expect(seed.status).toBe(307);
  });

  it('answers a pad file on the web seed with zeros, by range', async () => {
    const ranged = await get(`/-/webseed/${bucket}/data/.pad/30000`, { headers: { range: 'bytes=10-19' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 10-19/30000');
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(Buffer.alloc(10));
    const whole = await get(`/-/webseed/${bucket}/data/.pad/30000`);
    expect(whole.status).toBe(200);
    expect((await whole.arrayBuffer()).byteLength).toBe(30000);
    expect((await get(`/-/webseed/${bucket}/data/.pad/30000`, { headers: { range: 'bytes=30000-' } })).status).toBe(416);
  });

  it('refuses what no torrent can describe: nothing there, a key that is a file and a directory', async () => {
    expect((await get(`/${bucket}/data/nothing-here/?torrent`)).status).toBe(404);
    await putObject(service.clients, bucket, 'bad/a', testBytes(10, 1));
    await putObject(service.clients, bucket, 'bad/a/b', testBytes(10, 2));
    const conflict = await get(`/${bucket}/bad/?torrent`);
    expect(conflict.status).toBe(422);
    expect(await conflict.json()).toMatchObject({ code: 'PathConflict' });
    expect((await get(`/${bucket}/bad//?torrent`)).status).toBe(422);
  });

  it('rebuilds after an upload, an overwrite or a delete, reading only what changed', async () => {
    const before = await torrentOf(`/${bucket}/data/?torrent&version=hybrid`);
    await putObject(service.clients, bucket, 'data/a.txt', testBytes(40_000, 99));
    const changed = files.map((f) => (f.path.join('/') === 'a.txt' ? { ...f, data: testBytes(40_000, 99) } : f));
    const after = await torrentOf(`/${bucket}/data/?torrent&version=hybrid`);
    expect(after.res.headers.get('x-torrent-cache')).toBe('miss');
    expect(after.res.headers.get('x-torrent-bytes-hashed')).toBe('40000');
    expect(hex(after.meta.infoHashV1)).not.toBe(hex(before.meta.infoHashV1));
    expect(hex(after.meta.infoHashV2)).toBe(
      hex(referenceFolderInfo('data', changed, after.meta.pieceLength, 'hybrid', 'bep47').infoHashV2),
    );

    await service.clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'data/B' }));
    const removed = await torrentOf(`/${bucket}/data/?torrent&version=hybrid`);
    expect(removed.res.headers.get('x-torrent-bytes-hashed')).toBe('0');
    expect(removed.meta.files.filter((f) => !f.padding).map((f) => f.path.join('/'))).toEqual(['a/b.bin', 'a.txt', 'empty', 'sub/deep/x']);
  });

  describe('private folders', () => {
    const signer = () => new LinkSigner(service.signingKey);
    const link = (key: string) =>
      signedObjectUrl(signer(), service.apiUrl, { bucket, key, purpose: 'torrent' }, Math.floor(Date.now() / 1000) + 600).slice(
        service.apiUrl.length,
      );

    beforeAll(async () => {
      await putObject(service.clients, bucket, 'priv/one.bin', testBytes(50_000, 5));
      await putObject(service.clients, bucket, 'priv/two/three.bin', testBytes(20_000, 6));
      await putObject(service.clients, bucket, 'data/private-inside/hidden.bin', testBytes(10, 7));
    });

    it('are served with a signed link only, as private torrents with a signed web seed', async () => {
      expect((await get(`/${bucket}/priv/?torrent`)).status).toBe(403);
      const { meta } = await torrentOf(link('priv/'));
      expect(meta.private).toBe(true);
      const seed = meta.webSeeds[0] as string;
      expect(seed).toMatch(new RegExp(`/-/webseed-folder/\\d+\\.1\\.[A-Za-z0-9_-]+/${bucket}/$`));
      expect((await fetch(`${seed}priv/two/three.bin`, { redirect: 'manual' })).status).toBe(307);
      const zeros = await fetch(`${seed}priv/.pad/100`, { redirect: 'manual' });
      expect(zeros.status).toBe(200);
      // The link opens this folder only, unaltered.
      expect((await fetch(`${seed}data/a.txt`, { redirect: 'manual' })).status).toBe(403);
      expect((await fetch(`${seed.replace('.1.', '.0.')}priv/one.bin`, { redirect: 'manual' })).status).toBe(403);
      expect((await fetch(`${seed.replace(/\.1\.[A-Za-z0-9]/, '.1.A')}priv/one.bin`, { redirect: 'manual' })).status).toBe(403);
    });

    it('keep a public folder that holds a private prefix closed', async () => {
      const res = await get(`/${bucket}/data/?torrent`);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'AccessDenied' });
    });
  });
});

describe('folder web seeds in CloudFront mode', () => {
  const DISTRIBUTION = 'https://d111111abcdef8.cloudfront.net';
  const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const bucket = `cf-folders-${uniqueSuffix()}`;
  let service: Awaited<ReturnType<typeof startTestService>>;

  beforeAll(async () => {
    service = await startTestService({
      bucket,
      sources: `${bucket}/open/,private:${bucket}/closed/`,
      cloudFront: { baseUrl: DISTRIBUTION, signingKey: async () => ({ keyPairId: KEY_PAIR_ID, privateKeyPem: keys.privateKey }) },
    });
    await putObject(service.clients, bucket, 'open/a file.bin', testBytes(50_000, 1));
    await putObject(service.clients, bucket, 'closed/b.bin', testBytes(50_000, 2));
  });
  afterAll(() => service.stop());

  it('redirect each file to the distribution (signed for private folders) and answer pad files themselves', async () => {
    const open = parseTorrentFile(Buffer.from(await (await fetch(`${service.apiUrl}/${bucket}/open/?torrent`)).arrayBuffer()));
    const seed = open.webSeeds[0] as string;
    expect(seed).toBe(`${service.apiUrl}/-/webseed/${bucket}/`);
    const file = await fetch(`${seed}open/a%20file.bin`, { redirect: 'manual' });
    expect(file.headers.get('location')).toBe(`${DISTRIBUTION}/${bucket}/open/a%20file.bin`);
    expect((await fetch(`${seed}open/.pad/100`, { redirect: 'manual' })).status).toBe(200);

    const link = signedObjectUrl(
      new LinkSigner(service.signingKey),
      service.apiUrl,
      { bucket, key: 'closed/', purpose: 'torrent' },
      Math.floor(Date.now() / 1000) + 600,
    );
    const closed = parseTorrentFile(Buffer.from(await (await fetch(link)).arrayBuffer()));
    const redirect = await fetch(`${closed.webSeeds[0]}closed/b.bin`, { redirect: 'manual' });
    const location = redirect.headers.get('location') as string;
    expect(location.startsWith(`${DISTRIBUTION}/-/private/${bucket}/closed/b.bin?`)).toBe(true);
    expect(verifyCloudFrontSignedUrl(location, { publicKeys: new Map([[KEY_PAIR_ID, keys.publicKey]]), now: new Date() })).toMatchObject({
      ok: true,
    });
  });
});
