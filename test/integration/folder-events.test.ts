import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { parseTorrentFile } from '../../lambdas/core/metainfo';
import { DynamoDbObjectHashStore } from '../../lambdas/adapters/dynamodb-object-hash-store';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store';
import { eventsDeps } from '../../lambdas/events/deps';
import { makeEventsHandler, type EventOutcome } from '../../lambdas/events/events';
import { referenceFolderInfo, type TreeFile } from '../support/folders';
import { putObject, startTestService, testBytes } from '../support/service';

const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString('hex') : undefined);
const record = (bucket: string, key: string, eventName: string) => ({
  Records: [{ eventSource: 'aws:s3', eventName, s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(key) } } }],
});

describe('S3 events keep folder torrents current', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let handle: (event: unknown) => Promise<EventOutcome[]>;
  const files: TreeFile[] = [
    { path: ['one.bin'], data: testBytes(300_000, 1) },
    { path: ['two', 'three.bin'], data: testBytes(120_000, 2) },
  ];
  const folderTorrent = async (query = '') => {
    const res = await fetch(`${service.apiUrl}/${service.bucket}/set/?torrent${query}`);
    expect(res.status).toBe(200);
    return { res, meta: parseTorrentFile(Buffer.from(await res.arrayBuffer())) };
  };

  beforeAll(async () => {
    service = await startTestService();
    handle = makeEventsHandler(
      eventsDeps(
        service.clients,
        { ...service.names, sources: '*', inlineHashLimit: 64 * 1024 * 1024 },
        new Logger({ logLevel: 'SILENT' }),
      ),
    );
    for (const f of files) await putObject(service.clients, service.bucket, `set/${f.path.join('/')}`, f.data);
    await folderTorrent('&version=hybrid');
    await folderTorrent();
  });
  afterAll(() => service.stop());

  const folderOutcomes = (outcomes: EventOutcome[]) =>
    outcomes.flatMap((o) =>
      o.outcome === 'folder'
        ? [{ prefix: o.folder.prefix, variant: o.folder.variant, result: o.folder.result, bytesHashed: o.folder.bytesHashed }]
        : [],
    );

  it('an upload rebuilds every variant of the folders above it, reading only the new object', async () => {
    const added = testBytes(77_777, 3);
    await putObject(service.clients, service.bucket, 'set/two/new.bin', added);
    const outcomes = folderOutcomes(await handle(record(service.bucket, 'set/two/new.bin', 'ObjectCreated:Put')));
    expect(outcomes).toEqual([
      // The event pre-builds the object's own torrent first (v1, 32 KiB pieces, as the folder's), which stores its
      // v1 hashes: the hybrid folder torrent reads it again for v2 only, the v1 one reads nothing.
      { prefix: 'set/', variant: 'hybrid', result: 'rebuilt', bytesHashed: added.length },
      { prefix: 'set/', variant: 'v1', result: 'rebuilt', bytesHashed: 0 },
    ]);
    const { res, meta } = await folderTorrent('&version=hybrid');
    expect(res.headers.get('x-torrent-cache')).toBe('hit');
    const now = [...files, { path: ['two', 'new.bin'], data: added }];
    expect(hex(meta.infoHashV2)).toBe(hex(referenceFolderInfo('set', now, meta.pieceLength, 'hybrid', 'bep47').infoHashV2));
  });

  it('a delete drops the object`s hashes and rebuilds without reading anything', async () => {
    await service.clients.s3.send(new DeleteObjectCommand({ Bucket: service.bucket, Key: 'set/two/new.bin' }));
    const outcomes = folderOutcomes(await handle(record(service.bucket, 'set/two/new.bin', 'ObjectRemoved:Delete')));
    expect(outcomes.map((o) => [o.result, o.bytesHashed])).toEqual([
      ['rebuilt', 0],
      ['rebuilt', 0],
    ]);
    const { res, meta } = await folderTorrent();
    expect(res.headers.get('x-torrent-cache')).toBe('hit');
    expect(hex(meta.infoHashV1)).toBe(hex(referenceFolderInfo('set', files, meta.pieceLength, 'v1', 'bep47').infoHashV1));
  });

  it('an overwrite drops the hashes of the older contents and keeps those of the new ones', async () => {
    const hashes = new DynamoDbObjectHashStore(
      service.clients.dynamoDb,
      service.names.torrentTable,
      service.clients.s3,
      service.names.metadataBucket,
    );
    const keyOf = async (etag?: string) => {
      const head = await new S3ObjectStore(service.clients.s3).head(service.bucket, 'set/one.bin');
      return { bucket: service.bucket, key: 'set/one.bin', etag: etag ?? head.etag, size: head.size, pieceLength: 32768 };
    };
    const older = await keyOf();
    expect((await hashes.getMany([older]))[0]).toBeDefined();
    const data = testBytes(300_000, 9);
    await putObject(service.clients, service.bucket, 'set/one.bin', data);
    await handle(record(service.bucket, 'set/one.bin', 'ObjectCreated:Put'));
    const [gone, current] = await hashes.getMany([older, await keyOf()]);
    expect([gone, current !== undefined]).toEqual([undefined, true]);
    await putObject(service.clients, service.bucket, 'set/one.bin', files[0]!.data);
    await handle(record(service.bucket, 'set/one.bin', 'ObjectCreated:Put'));
  });

  it('leaves folders nobody asked for alone, and forgets a folder once it is empty', async () => {
    await putObject(service.clients, service.bucket, 'elsewhere/x.bin', testBytes(10, 4));
    expect(folderOutcomes(await handle(record(service.bucket, 'elsewhere/x.bin', 'ObjectCreated:Put')))).toEqual([]);
    for (const f of files)
      await service.clients.s3.send(new DeleteObjectCommand({ Bucket: service.bucket, Key: `set/${f.path.join('/')}` }));
    const outcomes = folderOutcomes(await handle(record(service.bucket, 'set/one.bin', 'ObjectRemoved:Delete')));
    expect(outcomes.map((o) => o.result)).toEqual(['forgotten']);
    expect(folderOutcomes(await handle(record(service.bucket, 'set/one.bin', 'ObjectRemoved:Delete')))).toEqual([]);
  });
});

describe('with s3rver`s own notifications', () => {
  it('the first ?torrent after an upload into a known folder is a cache hit', async () => {
    const service = await startTestService({ s3Endpoint: undefined, events: '*', workflow: false });
    try {
      await putObject(service.clients, service.bucket, 'live/a.bin', testBytes(50_000, 5));
      await service.events!.idle();
      expect((await fetch(`${service.apiUrl}/${service.bucket}/live/?torrent`)).status).toBe(200);
      await putObject(service.clients, service.bucket, 'live/b.bin', testBytes(60_000, 6));
      await service.events!.idle();
      const res = await fetch(`${service.apiUrl}/${service.bucket}/live/?torrent`);
      expect(res.headers.get('x-torrent-cache')).toBe('hit');
      expect(res.headers.get('x-torrent-files')).toBe('2');
    } finally {
      await service.stop();
    }
  });
});
