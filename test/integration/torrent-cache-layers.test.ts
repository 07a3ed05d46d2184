import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { type DynamoDbTorrentCache, MAX_INLINE_INFO_BYTES } from '../../lambdas/adapters/dynamodb-torrent-cache';
import { encodeInfoHybrid, encodePieceLayers } from '../../lambdas/core/info-dict-v2';
import { infoHashV1 } from '../../lambdas/core/info-dict';
import { publishingOn } from '../support/publishing';
import { testClients, uniqueSuffix } from '../support/service';

const clients = testClients();
const suffix = uniqueSuffix();
const table = `cache-layers-${suffix}`;
const metadataBucket = `metadata-layers-${suffix}`;
let cache: DynamoDbTorrentCache;
let publish: Awaited<ReturnType<typeof publishingOn>>['publish'];

/** A hybrid torrent of `pieceCount` 32 KiB pieces (random hashes: only sizes matter here). */
function hybridOf(pieceCount: number) {
  const pieceLength = 32 * 1024;
  const piecesRoot = randomBytes(32);
  const info = encodeInfoHybrid({
    name: 'x.bin',
    length: pieceCount * pieceLength,
    pieceLength,
    pieces: randomBytes(pieceCount * 20),
    piecesRoot,
  });
  const pieceLayers = encodePieceLayers(piecesRoot, randomBytes(pieceCount * 32));
  return {
    infoHash: Buffer.from(infoHashV1(info)).toString('hex'),
    info,
    pieceLayers,
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

const keyOf = (key: string) => ({ bucket: 'b', key, identity: 'etag:"1"', variant: 'hybrid' });
const listed = async () => (await clients.s3.send(new ListObjectsV2Command({ Bucket: metadataBucket }))).Contents?.map((c) => c.Key) ?? [];

describe('DynamoDbTorrentCache with BEP 52 piece layers', () => {
  it('keeps small piece layers in the item, beside the info dict', async () => {
    const torrent = hybridOf(100);
    await publish(keyOf('small'), torrent);
    const got = await cache.get(keyOf('small'));
    expect(Buffer.from(got!.pieceLayers!).equals(Buffer.from(torrent.pieceLayers))).toBe(true);
    expect(await listed()).toEqual([]);
  });

  it('puts piece layers in the metadata bucket with a large info dict, and evicts both', async () => {
    // 8,000 pieces: 160 KB of SHA-1s in the info dict plus 256 KB of layers, past the item budget together.
    const torrent = hybridOf(8_000);
    expect(torrent.info.length).toBeLessThan(MAX_INLINE_INFO_BYTES);
    expect(torrent.info.length + torrent.pieceLayers.length).toBeGreaterThan(MAX_INLINE_INFO_BYTES);
    await publish(keyOf('large'), torrent);
    expect(await listed()).toHaveLength(2);
    const got = await cache.get(keyOf('large'));
    expect(Buffer.from(got!.info).equals(Buffer.from(torrent.info))).toBe(true);
    expect(Buffer.from(got!.pieceLayers!).equals(Buffer.from(torrent.pieceLayers))).toBe(true);
    expect(await cache.evictObject('b', 'large')).toBe(1);
    expect(await listed()).toEqual([]);
  });
});
