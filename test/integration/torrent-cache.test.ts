import { randomBytes } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { type DynamoDbTorrentCache, MAX_INLINE_INFO_BYTES } from '../../lambdas/adapters/dynamodb-torrent-cache';
import { encodeInfoV1, infoHashV1 } from '../../lambdas/core/info-dict';
import { publishingOn } from '../support/publishing';
import { testClients, uniqueSuffix } from '../support/service';

const clients = testClients();
const suffix = uniqueSuffix();
const table = `cache-${suffix}`;
const metadataBucket = `metadata-${suffix}`;
let cache: DynamoDbTorrentCache;
let publish: Awaited<ReturnType<typeof publishingOn>>['publish'];

function torrentOf(pieceCount: number) {
  const pieceLength = 32 * 1024;
  const info = encodeInfoV1({ name: 'x.bin', length: pieceCount * pieceLength, pieceLength, pieces: randomBytes(pieceCount * 20) });
  return {
    infoHash: Buffer.from(infoHashV1(info)).toString('hex'),
    info,
    size: pieceCount * pieceLength,
    pieceLength,
    createdAt: new Date(1_700_000_000_000),
  };
}

beforeAll(async () => {
  ({ cache, publish } = await publishingOn(clients, { torrentTable: table, swarmTable: `swarm-${table}`, metadataBucket }));
});
afterAll(() => {
  clients.s3.destroy();
  clients.dynamoDb.destroy();
});

const keyOf = (key: string, identity: string) => ({ bucket: 'b', key, identity, variant: 'v1' });

// The port's behaviour is in test/contract/torrent-cache.test.ts; these are about where the bytes live.
describe('DynamoDbTorrentCache', () => {
  it('puts info dicts too large for an item in the metadata bucket, behind a pointer', async () => {
    // 20,000 pieces: 400 KB of hashes, past DynamoDB's 400 KB item limit.
    const torrent = torrentOf(20_000);
    expect(torrent.info.length).toBeGreaterThan(MAX_INLINE_INFO_BYTES);
    await publish(keyOf('large', 'etag:"1"'), torrent);
    const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: metadataBucket, Prefix: `info/${torrent.infoHash}/` }));
    expect(listed.KeyCount).toBe(1);
    const got = await cache.get(keyOf('large', 'etag:"1"'));
    expect(got?.infoHash).toBe(torrent.infoHash);
    expect(Buffer.from(got!.info).equals(Buffer.from(torrent.info))).toBe(true);
  });

  it('evicts every build of an object, including metadata objects', async () => {
    const large = torrentOf(20_000);
    await publish(keyOf('evicted', 'etag:"1"'), large);
    expect(await cache.evictObject('b', 'evicted')).toBe(1);
    expect(await cache.get(keyOf('evicted', 'etag:"1"'))).toBeUndefined();
    const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: metadataBucket, Prefix: `info/${large.infoHash}/` }));
    expect(listed.KeyCount ?? 0).toBe(0);
    expect(await cache.evictObject('b', 'never-cached')).toBe(0);
  });

  it('treats a pointer whose metadata object is gone as a miss (rebuild), not an error', async () => {
    const large = torrentOf(20_000);
    await publish(keyOf('dangling', 'etag:"1"'), large);
    const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: metadataBucket, Prefix: `info/${large.infoHash}/` }));
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    await clients.s3.send(new DeleteObjectCommand({ Bucket: metadataBucket, Key: listed.Contents![0]!.Key! }));
    await expect(clients.s3.send(new GetObjectCommand({ Bucket: metadataBucket, Key: listed.Contents![0]!.Key! }))).rejects.toThrow();
    expect(await cache.get(keyOf('dangling', 'etag:"1"'))).toBeUndefined();
  });
});
