import { randomBytes } from 'node:crypto';
import { DynamoDbTorrentCache } from '../../lambdas/adapters/dynamodb-torrent-cache';
import { DynamoDbTorrentPublisher } from '../../lambdas/adapters/dynamodb-torrent-publisher';
import { SWARM_TABLE_SCHEMA, TORRENT_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { encodeInfoV1, infoHashV1 } from '../../lambdas/core/info-dict';
import { encodeInfoHybrid, encodePieceLayers } from '../../lambdas/core/info-dict-v2';
import type { CachedTorrent, TorrentCache, TorrentCacheKey } from '../../lambdas/ports/torrent-cache';
import { publicationOf } from '../../lambdas/torrents/publication';
import { MemoryCache, MemoryPublisher } from '../support/fakes';
import { portContract, portMethods, unique, type Fixture } from './support/contract';
import { standInWorld } from './support/stand-ins';

const PIECE = 32 * 1024;

function v1Torrent(pieceCount: number): CachedTorrent {
  const info = encodeInfoV1({ name: 'x.bin', length: pieceCount * PIECE, pieceLength: PIECE, pieces: randomBytes(pieceCount * 20) });
  return { infoHash: hex(infoHashV1(info)), info, size: pieceCount * PIECE, pieceLength: PIECE, createdAt: new Date(1_700_000_000_000) };
}

function hybridTorrent(pieceCount: number): CachedTorrent {
  const piecesRoot = randomBytes(32);
  const info = encodeInfoHybrid({
    name: 'x.bin',
    length: pieceCount * PIECE,
    pieceLength: PIECE,
    pieces: randomBytes(pieceCount * 20),
    piecesRoot,
  });
  return {
    ...v1Torrent(1),
    infoHash: hex(infoHashV1(info)),
    info,
    pieceLayers: encodePieceLayers(piecesRoot, randomBytes(pieceCount * 32)),
    size: pieceCount * PIECE,
  };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
  a !== undefined && b !== undefined && Buffer.from(a).equals(Buffer.from(b));

/** Torrents enter the cache only by being published (TorrentPublisher, whose own suite is torrent-publisher.test.ts). */
interface CacheWorld extends Fixture<TorrentCache> {
  put(key: TorrentCacheKey, torrent: CachedTorrent): Promise<void>;
}

const publicationFor = (key: TorrentCacheKey, torrent: CachedTorrent) => publicationOf(key, torrent, 'x.bin');

portContract<TorrentCache, CacheWorld>({
  port: 'TorrentCache',
  methods: portMethods<TorrentCache>()('get', 'evictObject'),
  targets: [
    {
      name: 'fake',
      setUp: () => {
        const publisher = new MemoryPublisher(new MemoryCache());
        return { port: publisher.cache, put: (key, torrent) => publisher.publish(publicationFor(key, torrent)) };
      },
    },
    {
      name: 'DynamoDB Local and s3rver',
      setUp: async () => {
        const world = standInWorld('cache');
        const [table, swarmTable, bucket] = await Promise.all([
          world.table(TORRENT_TABLE_SCHEMA),
          world.table(SWARM_TABLE_SCHEMA),
          world.bucket(),
        ]);
        const cache = new DynamoDbTorrentCache(world.clients.dynamoDb, table, world.clients.s3, bucket);
        const publisher = new DynamoDbTorrentPublisher(world.clients.dynamoDb, cache, swarmTable);
        return { port: cache, put: (key, torrent) => publisher.publish(publicationFor(key, torrent)), dispose: world.dispose };
      },
    },
  ],
  tests: (world) => {
    const keyOf = (key: string, identity = 'etag:"1"', variant = 'v1'): TorrentCacheKey => ({ bucket: 'b', key, identity, variant });

    it('misses what was never stored', async () => {
      expect(await world().port.get(keyOf(unique('never')))).toBeUndefined();
    });

    it('returns what was stored: the info bytes, sizes, and the creation time to the second', async () => {
      const { port, put } = world();
      const key = keyOf(unique('small'));
      const torrent = { ...v1Torrent(10), createdAt: new Date(1_700_000_000_789) };
      await put(key, torrent);
      const got = await port.get(key);
      expect(got).toMatchObject({
        infoHash: torrent.infoHash,
        size: torrent.size,
        pieceLength: PIECE,
        createdAt: new Date(1_700_000_000_000),
      });
      expect(same(got?.info, torrent.info)).toBe(true);
      expect(got?.pieceLayers).toBeUndefined();
    });

    it('keeps info dicts too large for a DynamoDB item, and piece layers of either size', async () => {
      const { port, put } = world();
      for (const torrent of [v1Torrent(20_000), hybridTorrent(100), hybridTorrent(8_000)]) {
        const key = keyOf(unique('large'), 'etag:"1"', 'hybrid');
        await put(key, torrent);
        const got = await port.get(key);
        expect(same(got?.info, torrent.info)).toBe(true);
        expect(got?.pieceLayers === undefined ? torrent.pieceLayers === undefined : same(got.pieceLayers, torrent.pieceLayers)).toBe(true);
      }
    });

    it('keeps variants apart, misses another identity, and drops older identities when a new one is stored', async () => {
      const { port, put } = world();
      const name = unique('versioned');
      const [a, b, c] = [v1Torrent(1), v1Torrent(2), v1Torrent(3)];
      await put(keyOf(name, 'etag:"old"', 'v1'), a);
      await put(keyOf(name, 'etag:"old"', 'v2'), b);
      expect((await port.get(keyOf(name, 'etag:"old"', 'v1')))?.infoHash).toBe(a.infoHash);
      expect((await port.get(keyOf(name, 'etag:"old"', 'v2')))?.infoHash).toBe(b.infoHash);
      expect(await port.get(keyOf(name, 'etag:"new"', 'v1'))).toBeUndefined();
      await put(keyOf(name, 'etag:"new"', 'v1'), c);
      expect(await port.get(keyOf(name, 'etag:"old"', 'v1'))).toBeUndefined();
      expect(await port.get(keyOf(name, 'etag:"old"', 'v2'))).toBeUndefined();
      expect((await port.get(keyOf(name, 'etag:"new"', 'v1')))?.infoHash).toBe(c.infoHash);
    });

    it('evicts every build of one object, and counts them; other objects keep theirs', async () => {
      const { port, put } = world();
      const name = unique('evicted');
      await put(keyOf(name, 'etag:"1"', 'v1'), v1Torrent(20_000));
      await put(keyOf(name, 'etag:"1"', 'v1+private'), v1Torrent(1));
      // A key that extends this one's: a prefix match would take it too.
      await put(keyOf(`${name}x`), v1Torrent(1));
      expect(await port.evictObject('b', name)).toBe(2);
      expect(await port.get(keyOf(name, 'etag:"1"', 'v1'))).toBeUndefined();
      expect(await port.evictObject('b', name)).toBe(0);
      expect(await port.get(keyOf(`${name}x`))).toBeDefined();
    });

    it('misses an entry whose info dict does not hash to its infohash (it is rebuilt)', async () => {
      const { port, put } = world();
      const key = keyOf(unique('corrupt'));
      await put(key, { ...v1Torrent(4), infoHash: 'f'.repeat(40) });
      expect(await port.get(key)).toBeUndefined();
    });

    it('keeps keys with the separators the store uses (# and /) apart', async () => {
      const { port, put } = world();
      const name = unique('a#b/c');
      const t = v1Torrent(1);
      await put(keyOf(name, 'etag:"x#y"'), t);
      expect(await port.get(keyOf(name, 'etag:"x#y"'))).toBeDefined();
      expect(await port.get(keyOf(`${name}#etag:"x`, 'y"'))).toBeUndefined();
    });
  },
});
