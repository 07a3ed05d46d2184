import { randomBytes } from 'node:crypto';
import { DynamoDbSwarmStore } from '../../lambdas/adapters/dynamodb-swarm-store';
import { DynamoDbTorrentCache, MAX_INLINE_INFO_BYTES } from '../../lambdas/adapters/dynamodb-torrent-cache';
import { DynamoDbTorrentPublisher } from '../../lambdas/adapters/dynamodb-torrent-publisher';
import { SWARM_TABLE_SCHEMA, TORRENT_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { encodeInfoHybrid, encodePieceLayers, infoHashV2 } from '../../lambdas/core/info-dict-v2';
import { encodeInfoV1, infoHashV1 } from '../../lambdas/core/info-dict';
import type { SwarmStore } from '../../lambdas/ports/swarm-store';
import type { CachedTorrent, TorrentCache, TorrentCacheKey } from '../../lambdas/ports/torrent-cache';
import type { TorrentPublisher } from '../../lambdas/ports/torrent-publisher';
import { publicationOf } from '../../lambdas/torrents/publication';
import { MemoryCache, MemoryPublisher, MemorySwarmStore } from '../support/fakes';
import { portContract, portMethods, unique, type Fixture } from './support/contract';
import { standInWorld } from './support/stand-ins';

/** Publishing is observed through what reads it: the torrent cache, and the tracker's swarm store. */
interface PublisherWorld extends Fixture<TorrentPublisher> {
  readonly cache: TorrentCache;
  readonly swarm: SwarmStore;
}

const hex = (hash: Uint8Array) => Buffer.from(hash).toString('hex');

function v1Torrent(pieces: number): CachedTorrent {
  const pieceLength = 16 * 1024;
  const info = encodeInfoV1({ name: 'f.bin', length: pieces * pieceLength, pieceLength, pieces: randomBytes(pieces * 20) });
  return { infoHash: hex(infoHashV1(info)), info, size: pieces * pieceLength, pieceLength, createdAt: new Date(1_700_000_000_000) };
}

function hybridTorrent(pieces: number): CachedTorrent {
  const pieceLength = 16 * 1024;
  const piecesRoot = randomBytes(32);
  const info = encodeInfoHybrid({ name: 'f.bin', length: pieces * pieceLength, pieceLength, pieces: randomBytes(pieces * 20), piecesRoot });
  const pieceLayers = encodePieceLayers(piecesRoot, randomBytes(pieces * 32));
  return {
    infoHash: hex(infoHashV1(info)),
    info,
    pieceLayers,
    size: pieces * pieceLength,
    pieceLength,
    createdAt: new Date(1_700_000_000_000),
  };
}

portContract<TorrentPublisher, PublisherWorld>({
  port: 'TorrentPublisher',
  methods: portMethods<TorrentPublisher>()('publish'),
  targets: [
    {
      name: 'fake',
      setUp: () => {
        const publisher = new MemoryPublisher(new MemoryCache(), new MemorySwarmStore());
        return { port: publisher, cache: publisher.cache, swarm: publisher.swarm };
      },
    },
    {
      name: 'DynamoDB Local and s3rver',
      setUp: async () => {
        const world = standInWorld('publish');
        const [torrentTable, swarmTable, metadataBucket] = await Promise.all([
          world.table(TORRENT_TABLE_SCHEMA),
          world.table(SWARM_TABLE_SCHEMA),
          world.bucket(),
        ]);
        const cache = new DynamoDbTorrentCache(world.clients.dynamoDb, torrentTable, world.clients.s3, metadataBucket);
        return {
          port: new DynamoDbTorrentPublisher(world.clients.dynamoDb, cache, swarmTable),
          cache,
          swarm: new DynamoDbSwarmStore(world.clients.dynamoDb, swarmTable),
          dispose: world.dispose,
        };
      },
    },
  ],
  tests: (world) => {
    const keyOf = (variant = 'v1', identity = 'etag:"1"'): TorrentCacheKey => ({
      bucket: 'b',
      key: unique('dir/f.bin'),
      identity,
      variant,
    });
    const expectCached = async (key: TorrentCacheKey, torrent: CachedTorrent) => {
      const got = await world().cache.get(key, { consistent: true });
      expect(got).toBeDefined();
      expect(Buffer.from(got!.info).equals(Buffer.from(torrent.info))).toBe(true);
      expect(got!.pieceLayers && Buffer.from(got!.pieceLayers)).toEqual(torrent.pieceLayers && Buffer.from(torrent.pieceLayers));
      expect(got).toMatchObject({
        infoHash: torrent.infoHash,
        size: torrent.size,
        pieceLength: torrent.pieceLength,
        createdAt: torrent.createdAt,
      });
    };

    it('makes a torrent servable and its infohash announceable together', async () => {
      const { port, swarm } = world();
      const key = keyOf();
      const torrent = v1Torrent(8);
      expect(await swarm.trackedTorrents([torrent.infoHash])).toEqual(new Map());
      await port.publish(publicationOf(key, torrent, 'f.bin'));
      await expectCached(key, torrent);
      expect([...(await swarm.trackedTorrents([torrent.infoHash])).values()]).toEqual([
        { infoHash: torrent.infoHash, downloaded: 0, private: false, tokenHash: torrent.infoHash },
      ]);
    });

    it('registers a private hybrid torrent under its v1 and truncated v2 hashes, with one token hash', async () => {
      const { port, swarm } = world();
      const key = keyOf('hybrid+private');
      const torrent = hybridTorrent(8);
      const v2 = hex(infoHashV2(torrent.info)).slice(0, 40);
      await port.publish(publicationOf(key, torrent, 'f.bin'));
      await expectCached(key, torrent);
      const found = await swarm.trackedTorrents([torrent.infoHash, v2]);
      expect(found.get(torrent.infoHash)).toEqual({
        infoHash: torrent.infoHash,
        downloaded: 0,
        private: true,
        tokenHash: torrent.infoHash,
      });
      expect(found.get(v2)).toEqual({ infoHash: v2, downloaded: 0, private: true, tokenHash: torrent.infoHash });
    });

    it('publishes info dicts too large for an item (metadata bucket) as whole as small ones', async () => {
      const { port, swarm } = world();
      const key = keyOf('hybrid');
      const torrent = hybridTorrent(8_000);
      expect(torrent.info.length + torrent.pieceLayers!.length).toBeGreaterThan(MAX_INLINE_INFO_BYTES);
      await port.publish(publicationOf(key, torrent, 'f.bin'));
      await expectCached(key, torrent);
      expect((await swarm.trackedTorrents([torrent.infoHash])).size).toBe(1);
    });

    it('can publish the same torrent again (a retry, a second builder) and keeps the tracker counters', async () => {
      const { port, swarm } = world();
      const key = keyOf();
      const torrent = v1Torrent(4);
      await port.publish(publicationOf(key, torrent, 'f.bin'));
      expect(await swarm.recordDownload(torrent.infoHash, randomBytes(20), 1_900_000_000)).toBe(true);
      await Promise.all([port.publish(publicationOf(key, torrent, 'f.bin')), port.publish(publicationOf(key, torrent, 'f.bin'))]);
      await expectCached(key, torrent);
      expect((await swarm.trackedTorrents([torrent.infoHash])).get(torrent.infoHash)?.downloaded).toBe(1);
      // The same bytes under another key share the infohash, and its counter.
      await port.publish(publicationOf({ ...key, key: unique('other/f.bin') }, torrent, 'f.bin'));
      expect((await swarm.trackedTorrents([torrent.infoHash])).get(torrent.infoHash)).toMatchObject({ downloaded: 1, private: false });
    });

    it('registers nothing but the hashes the torrent is announced under', async () => {
      const { port, swarm } = world();
      await port.publish(publicationOf(keyOf(), v1Torrent(2), 'f.bin'));
      expect((await swarm.trackedTorrents([randomBytes(20).toString('hex')])).size).toBe(0);
    });

    it("drops the cache entries of the object's other identities, and keeps their registrations", async () => {
      const { port, cache, swarm } = world();
      const old = keyOf('v1', 'etag:"old"');
      const oldHybrid = { ...old, variant: 'hybrid' };
      const fresh = { ...old, identity: 'etag:"new"' };
      const [oldTorrent, oldHybridTorrent, freshTorrent] = [v1Torrent(2), hybridTorrent(2), v1Torrent(3)];
      await port.publish(publicationOf(old, oldTorrent, 'f.bin'));
      await port.publish(publicationOf(oldHybrid, oldHybridTorrent, 'f.bin'));
      await port.publish(publicationOf(fresh, freshTorrent, 'f.bin'));
      expect(await cache.get(old, { consistent: true })).toBeUndefined();
      expect(await cache.get(oldHybrid, { consistent: true })).toBeUndefined();
      await expectCached(fresh, freshTorrent);
      // Torrents already handed out keep their swarm: the tracker still knows the old infohash.
      expect((await swarm.trackedTorrents([oldTorrent.infoHash])).size).toBe(1);
    });
  },
});
