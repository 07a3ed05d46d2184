import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { parseTorrentFile } from '../../lambdas/core/metainfo';
import { buildInfo, TorrentPieceHasher, type TorrentFormat } from '../../lambdas/core/build-info';
import { pieceLengthFor } from '../../lambdas/core/piece-length';
import { LinkSigner, signedObjectUrl } from '../../lambdas/security/signed-links';
import { putObject, startTestService, testBytes, uniqueSuffix } from '../support/service';

type Service = Awaited<ReturnType<typeof startTestService>>;
const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString('hex') : undefined);

function expected(data: Buffer, name: string, format: TorrentFormat) {
  const pieceLength = pieceLengthFor(data.length);
  const hasher = new TorrentPieceHasher(pieceLength, format);
  hasher.update(data);
  const built = buildInfo({ format, name, length: data.length, pieceLength, hashes: hasher.digest() });
  return { v1: hex(built.infoHashV1), v2: hex(built.infoHashV2), pieceLayers: built.pieceLayers };
}

describe('GET /{bucket}/{key}?torrent&version=1|2|hybrid', () => {
  let service: Service;
  // Several pieces, so v2 and hybrid torrents carry piece layers.
  const data = testBytes(300_000, 21);
  beforeAll(async () => {
    service = await startTestService({ inlineHashLimit: 8 * 1024 * 1024 });
    await putObject(service.clients, service.bucket, 'dir/clip.mp4', data);
  });
  afterAll(() => service.stop());

  const get = async (query: string) => {
    const res = await fetch(`${service.apiUrl}/${service.bucket}/dir/clip.mp4?${query}`);
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };
  const registered = async (infoHash: string) =>
    (await service.clients.dynamoDb.send(new GetCommand({ TableName: service.names.swarmTable, Key: { infoHash, entry: 'torrent' } })))
      .Item;

  it('version=2: a v2-only torrent with piece layers; headers carry the SHA-256; the tracker knows its first 20 bytes', async () => {
    const { res, body } = await get('torrent&version=2');
    expect(res.status).toBe(200);
    const meta = parseTorrentFile(body);
    const want = expected(data, 'clip.mp4', 'v2');
    expect(meta).toMatchObject({ format: 'v2', name: 'clip.mp4', totalLength: data.length, singleFile: true });
    expect(hex(meta.infoHashV2)).toBe(want.v2);
    expect(meta.pieceLayers.size).toBe(1);
    expect(res.headers.get('x-torrent-infohash')).toBe(want.v2);
    expect(res.headers.get('x-torrent-infohash-v2')).toBe(want.v2);
    expect(await registered(want.v2!.slice(0, 40))).toMatchObject({ bucket: service.bucket, key: 'dir/clip.mp4', name: 'clip.mp4' });
  });

  it('version=hybrid: both halves; the v1 hash in X-Torrent-Infohash; both hashes registered', async () => {
    const { res, body } = await get('torrent&version=hybrid');
    const meta = parseTorrentFile(body);
    const want = expected(data, 'clip.mp4', 'hybrid');
    expect(meta.format).toBe('hybrid');
    expect({ v1: hex(meta.infoHashV1), v2: hex(meta.infoHashV2) }).toEqual({ v1: want.v1, v2: want.v2 });
    expect(res.headers.get('x-torrent-infohash')).toBe(want.v1);
    expect(res.headers.get('x-torrent-infohash-v2')).toBe(want.v2);
    expect(await registered(want.v1!)).toBeDefined();
    expect(await registered(want.v2!.slice(0, 40))).toBeDefined();
  });

  it('each version is cached on its own, piece layers included; version=1 is the default', async () => {
    const first = await get('torrent&version=2');
    const again = await get('torrent&version=2');
    expect(again.res.headers.get('x-torrent-cache')).toBe('hit');
    expect(again.body.equals(first.body)).toBe(true);

    const v1 = await get('torrent');
    const explicit = await get('torrent&version=1');
    expect(v1.res.headers.get('x-torrent-cache')).toBe('miss');
    expect(explicit.res.headers.get('x-torrent-cache')).toBe('hit');
    expect(explicit.res.headers.get('x-torrent-infohash')).toBe(expected(data, 'clip.mp4', 'v1').v1);
    expect(v1.res.headers.get('x-torrent-infohash-v2')).toBeNull();
    expect(parseTorrentFile(v1.body).format).toBe('v1');
  });

  it.each(['3', 'v2', '', 'HYBRID'])('400 InvalidArgument for version=%s', async (version) => {
    const { res, body } = await get(`torrent&version=${version}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(body.toString())).toMatchObject({ code: 'InvalidArgument', message: expect.stringContaining('1, 2 or hybrid') });
  });
});

describe('web seeds of v2-only torrents', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(() => service.stop());

  it('name the directory holding the object (libtorrent and BEP 19 clients append the file name)', async () => {
    await putObject(service.clients, service.bucket, 'a dir/sub/file one.bin', testBytes(40_000, 3));
    await putObject(service.clients, service.bucket, 'top.bin', testBytes(40_000, 4));
    const seedOf = async (key: string, version: string) => {
      const res = await fetch(`${service.apiUrl}/${service.bucket}/${encodeURI(key)}?torrent&version=${version}`);
      return parseTorrentFile(Buffer.from(await res.arrayBuffer())).webSeeds;
    };
    expect(await seedOf('a dir/sub/file one.bin', '2')).toEqual([`${service.apiUrl}/-/webseed/${service.bucket}/a%20dir/sub/`]);
    expect(await seedOf('top.bin', '2')).toEqual([`${service.apiUrl}/-/webseed/${service.bucket}/`]);
    // v1 and hybrid torrents are single-file torrents to every client: the URL of the object itself.
    expect(await seedOf('top.bin', 'hybrid')).toEqual([`${service.apiUrl}/-/webseed/${service.bucket}/top.bin`]);
    const appended = await fetch(`${service.apiUrl}/-/webseed/${service.bucket}/a%20dir/sub/file%20one.bin`);
    expect(Buffer.from(await appended.arrayBuffer()).equals(testBytes(40_000, 3))).toBe(true);
  });

  it('carry the version in the path where a bucket is versioned: /-/webseed-version/<version>/...', async () => {
    const res = await fetch(`${service.apiUrl}/-/webseed-version/v3.Xyz_1/${service.bucket}/a%20dir/sub/file%20one.bin`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(307);
    expect(new URL(res.headers.get('location')!).searchParams.get('versionId')).toBe('v3.Xyz_1');
  });
});

describe('v2 and hybrid torrents of private sources', () => {
  let service: Service;
  let signer: LinkSigner;
  const bucket = `private-v2-${uniqueSuffix()}`;
  const data = testBytes(200_000, 31);
  beforeAll(async () => {
    service = await startTestService({ bucket, sources: `private:${bucket}/secret/` });
    signer = new LinkSigner(service.signingKey);
    await putObject(service.clients, bucket, 'secret/report.pdf', data);
  });
  afterAll(() => service.stop());

  it.each(['2', 'hybrid'])(
    'version=%s: private flag set, announce token for the hash clients announce first, hashes registered',
    async (version) => {
      const link = signedObjectUrl(
        signer,
        service.apiUrl,
        { bucket, key: 'secret/report.pdf', purpose: 'torrent' },
        Math.floor(Date.now() / 1000) + 600,
      );
      const res = await fetch(`${link}&version=${version}`);
      expect(res.status).toBe(200);
      const meta = parseTorrentFile(Buffer.from(await res.arrayBuffer()));
      expect(meta).toMatchObject({ private: true, format: version === '2' ? 'v2' : 'hybrid' });
      const announced = meta.infoHashV1 ? hex(meta.infoHashV1)! : hex(meta.infoHashV2)!.slice(0, 40);
      expect(meta.trackers[0]?.[0]).toContain(`/${signer.announceToken(announced)}/`);
      const registration = await service.clients.dynamoDb.send(
        new GetCommand({ TableName: service.names.swarmTable, Key: { infoHash: hex(meta.infoHashV2)!.slice(0, 40), entry: 'torrent' } }),
      );
      expect(registration.Item).toMatchObject({ bucket, key: 'secret/report.pdf' });
    },
  );
});
