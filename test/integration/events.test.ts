import { CopyObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { eventsDeps } from '../../lambdas/events/deps';
import { makeEventsHandler } from '../../lambdas/events/events';
import { putObject, startTestService, testBytes } from '../support/service';

type Service = Awaited<ReturnType<typeof startTestService>>;
const MiB = 1024 * 1024;

describe('S3 events (s3rver notifications delivered to the events handler)', () => {
  let service: Service;
  beforeAll(async () => {
    // Its own in-process S3, whose events reach this service; DynamoDB Local is shared.
    service = await startTestService({
      s3Endpoint: undefined,
      inlineHashLimit: MiB,
      events: '*',
      workflow: { minChunkBytes: MiB, maxConcurrency: 2 },
    });
  });
  afterAll(() => service.stop());

  const settle = async () => {
    await service.events!.idle();
    await service.workflow!.idle();
  };
  const cachedBuilds = async (key: string) => {
    const out = await service.clients.dynamoDb.send(
      new QueryCommand({
        TableName: service.names.torrentTable,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'object' },
        ExpressionAttributeValues: { ':pk': `${service.bucket}/${key}` },
      }),
    );
    return (out.Items ?? []).map((i) => i.build as string);
  };
  const torrent = (key: string) => fetch(`${service.apiUrl}/${service.bucket}/${key.split('/').map(encodeURIComponent).join('/')}?torrent`);

  it('an upload is hashed inline before the first ?torrent, which is a cache hit', async () => {
    await putObject(service.clients, service.bucket, 'small file+plus.bin', testBytes(200_000, 1));
    await settle();
    expect(await cachedBuilds('small file+plus.bin')).toHaveLength(1);
    const res = await torrent('small file+plus.bin');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-torrent-cache')).toBe('hit');
  });

  it('an upload above the inline limit starts the workflow; its torrent is ready for the first ?torrent', async () => {
    await putObject(service.clients, service.bucket, 'dir/large.bin', testBytes(5 * MiB, 2));
    await settle();
    expect(service.workflow!.executionNames.length).toBeGreaterThanOrEqual(1);
    const res = await torrent('dir/large.bin');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-torrent-cache')).toBe('hit');
  });

  it('a copy is an upload too', async () => {
    await putObject(service.clients, service.bucket, 'original.bin', testBytes(3000, 4));
    await settle();
    await service.clients.s3.send(
      new CopyObjectCommand({ Bucket: service.bucket, Key: 'copy.bin', CopySource: `${service.bucket}/original.bin` }),
    );
    await settle();
    expect(await cachedBuilds('copy.bin')).toHaveLength(1);
  });

  it('a delete evicts the cached torrents; a delete of an unknown key is harmless', async () => {
    await service.clients.s3.send(new DeleteObjectCommand({ Bucket: service.bucket, Key: 'dir/large.bin' }));
    await service.clients.s3.send(new DeleteObjectCommand({ Bucket: service.bucket, Key: 'never/existed.bin' }));
    await settle();
    expect(await cachedBuilds('dir/large.bin')).toEqual([]);
    expect((await torrent('dir/large.bin')).status).toBe(404);
  });

  it('skips what it cannot build (empty objects) without failing', async () => {
    await putObject(service.clients, service.bucket, 'empty.bin', new Uint8Array(0));
    await settle();
    expect(await cachedBuilds('empty.bin')).toEqual([]);
  });
});

describe('S3 events for other sources', () => {
  it('are ignored: only the configured buckets and prefixes are pre-built', async () => {
    const service = await startTestService({ s3Endpoint: undefined, events: 'nothing-here/prefix/' });
    try {
      await putObject(service.clients, service.bucket, 'a.bin', testBytes(1000, 3));
      await service.events!.idle();
      const res = await fetch(`${service.apiUrl}/${service.bucket}/a.bin?torrent`);
      expect(res.headers.get('x-torrent-cache')).toBe('miss');
    } finally {
      await service.stop();
    }
  });
});

describe('EventBridge events (the shape the CDK stack delivers)', () => {
  let service: Service;
  let handle: ReturnType<typeof makeEventsHandler>;
  beforeAll(async () => {
    service = await startTestService({ inlineHashLimit: MiB, workflow: { minChunkBytes: MiB } });
    handle = makeEventsHandler(
      eventsDeps(service.clients, { ...service.names, sources: service.bucket, inlineHashLimit: MiB }, new Logger({ logLevel: 'SILENT' }), {
        workflow: service.workflow,
      }),
    );
  });
  afterAll(() => service.stop());

  const event = (detailType: string, key: string) => ({
    version: '0',
    id: 'e1',
    source: 'aws.s3',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${service.bucket}`],
    'detail-type': detailType,
    detail: { version: '0', bucket: { name: service.bucket }, object: { key, size: 1 }, reason: 'PutObject' },
  });

  it('pre-builds on "Object Created" and evicts on "Object Deleted"', async () => {
    await putObject(service.clients, service.bucket, 'eb/a b.bin', testBytes(4000, 5));
    expect(await handle(event('Object Created', 'eb/a b.bin'))).toEqual([expect.objectContaining({ outcome: 'built' })]);
    expect(await handle(event('Object Created', 'eb/a b.bin'))).toEqual([expect.objectContaining({ outcome: 'cached' })]);
    const hit = await fetch(`${service.apiUrl}/${service.bucket}/eb/a%20b.bin?torrent`);
    expect(hit.headers.get('x-torrent-cache')).toBe('hit');

    // Still there: the delete event is stale (or out of order), so nothing is evicted.
    expect(await handle(event('Object Deleted', 'eb/a b.bin'))).toEqual([expect.objectContaining({ outcome: 'kept' })]);
    await service.clients.s3.send(new DeleteObjectCommand({ Bucket: service.bucket, Key: 'eb/a b.bin' }));
    expect(await handle(event('Object Deleted', 'eb/a b.bin'))).toEqual([expect.objectContaining({ outcome: 'evicted', entries: 1 })]);
    expect(await handle(event('Object Deleted', 'eb/unknown.bin'))).toEqual([expect.objectContaining({ outcome: 'evicted', entries: 0 })]);
  });

  it('starts the workflow for a large upload, and skips a key that is already gone', async () => {
    await putObject(service.clients, service.bucket, 'eb/large.bin', testBytes(3 * MiB, 6));
    expect(await handle(event('Object Created', 'eb/large.bin'))).toEqual([expect.objectContaining({ outcome: 'job', state: 'RUNNING' })]);
    await service.workflow!.idle();
    expect(await handle(event('Object Created', 'eb/large.bin'))).toEqual([expect.objectContaining({ outcome: 'cached' })]);
    expect(await handle(event('Object Created', 'eb/gone.bin'))).toEqual([
      expect.objectContaining({ outcome: 'skipped', reason: 'NoSuchKey' }),
    ]);
  });

  it('leaves objects outside its sources alone', async () => {
    const other = { ...event('Object Created', 'x.bin'), detail: { bucket: { name: 'another-bucket' }, object: { key: 'x.bin' } } };
    expect(await handle(other)).toEqual([expect.objectContaining({ outcome: 'not-served' })]);
  });
});
