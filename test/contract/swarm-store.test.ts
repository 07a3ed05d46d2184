import { randomBytes } from 'node:crypto';
import { DynamoDbSwarmStore } from '../../lambdas/adapters/dynamodb-swarm-store';
import { SWARM_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { peerPlacement } from '../../lambdas/core/tracker/swarm-sample';
import { DOWNLOAD_RECORD_SECONDS, STOPPED_PEER_SECONDS, type StoredPeer, type SwarmStore } from '../../lambdas/ports/swarm-store';
import type { RegisteredTorrent } from '../../lambdas/ports/torrent-publisher';
import { MemorySwarmStore } from '../support/fakes';
import { registerTorrent } from '../support/swarm';
import { portContract, portMethods, unique, type Fixture } from './support/contract';
import { standInWorld } from './support/stand-ins';

interface SwarmWorld extends Fixture<SwarmStore> {
  /** The publisher's side of the table: registrations the tracker serves. */
  readonly registry: { register(torrent: RegisteredTorrent): Promise<void> };
}

const NOW = 1_900_000_000;
const torrent = () => randomBytes(20).toString('hex');
const register = (registry: SwarmWorld['registry'], infoHashes: string[], isPrivate = false) =>
  registry.register({ infoHashes, bucket: 'b', key: unique('k'), name: 'k', size: 1, private: isPrivate });

function peer(name: string, fields: Partial<StoredPeer> = {}): StoredPeer {
  const peerId = Buffer.from(name.padEnd(20, '.').slice(0, 20));
  return {
    peerId,
    placement: peerPlacement(peerId),
    ipv4: '10.0.0.1',
    port: 6881,
    seeder: false,
    key: 'k1',
    expiresAt: NOW + 100,
    ...fields,
  };
}

const names = (peers: readonly { peerId: Uint8Array }[]) => peers.map((p) => Buffer.from(p.peerId).toString().replace(/\.+$/, ''));

portContract<SwarmStore, SwarmWorld>({
  port: 'SwarmStore',
  methods: portMethods<SwarmStore>()('trackedTorrents', 'putPeer', 'removePeer', 'removeExpiredPeers', 'recordDownload', 'samplePeers'),
  targets: [
    {
      name: 'fake',
      setUp: () => {
        const swarm = new MemorySwarmStore();
        return { port: swarm, registry: { register: async (torrent) => swarm.register(torrent) } };
      },
    },
    {
      name: 'DynamoDB Local',
      setUp: async () => {
        const world = standInWorld('swarm');
        const table = await world.table(SWARM_TABLE_SCHEMA);
        return {
          port: new DynamoDbSwarmStore(world.clients.dynamoDb, table),
          registry: { register: (torrent) => registerTorrent(world.clients.dynamoDb, table, torrent) },
          dispose: world.dispose,
        };
      },
    },
  ],
  tests: (world) => {
    it('tracks registered torrents only, many at once (past one BatchGetItem of 100 keys)', async () => {
      const { port, registry } = world();
      const hashes = Array.from({ length: 150 }, torrent);
      await register(registry, hashes.slice(0, 120));
      const [privateHash, secondHash] = [torrent(), torrent()];
      await register(registry, [privateHash, secondHash], true);
      const found = await port.trackedTorrents([...hashes, privateHash, secondHash, hashes[0]!]);
      expect([...found.keys()].sort()).toEqual([...hashes.slice(0, 120), privateHash, secondHash].sort());
      expect(found.get(hashes[5]!)).toEqual({ infoHash: hashes[5], downloaded: 0, private: false, tokenHash: hashes[0] });
      expect(found.get(secondHash)).toMatchObject({ private: true, tokenHash: privateHash });
      expect((await port.trackedTorrents([])).size).toBe(0);
    });

    it('adds a peer, lets its owner refresh it (by address or by key) and returns what it replaced', async () => {
      const { port } = world();
      const t = torrent();
      expect(await port.putPeer(t, peer('p'), NOW)).toEqual({ outcome: 'written', previous: undefined });
      const moved = peer('p', { ipv4: '10.9.9.9', ipv6: '2001:db8::1', seeder: true, expiresAt: NOW + 200 });
      const byKey = await port.putPeer(t, moved, NOW + 10);
      expect(byKey).toMatchObject({ outcome: 'written', previous: { ipv4: '10.0.0.1', seeder: false, key: 'k1', expiresAt: NOW + 100 } });
      // Same address, no key: still the owner. The entry is what the announce said, nothing kept.
      const byAddress = await port.putPeer(t, peer('p', { ipv4: '10.9.9.9', key: undefined, port: 7000 }), NOW + 20);
      expect(byAddress).toMatchObject({ outcome: 'written', previous: { ipv6: '2001:db8::1', port: 6881, seeder: true } });
      const [member] = (await port.samplePeers(t, 0, 10)).members as StoredPeer[];
      expect(member).toMatchObject({ ipv4: '10.9.9.9', port: 7000, seeder: false, expiresAt: NOW + 100 });
      expect(member?.ipv6).toBeUndefined();
      expect(member?.key).toBeUndefined();
    });

    it('keeps the gate’s facts about a peer (its ticket, bytes left, when it announced) and drops them when an announce has none', async () => {
      const { port } = world();
      const t = torrent();
      await port.putPeer(t, peer('gated', { ticket: 'abcdef01', left: 1234, announcedAt: NOW }), NOW);
      const [member] = (await port.samplePeers(t, 0, 10)).members as StoredPeer[];
      expect(member).toMatchObject({ ticket: 'abcdef01', left: 1234, announcedAt: NOW });
      const replaced = await port.putPeer(t, peer('gated'), NOW + 1);
      expect(replaced).toMatchObject({ outcome: 'written', previous: { ticket: 'abcdef01', left: 1234 } });
      const [plain] = (await port.samplePeers(t, 0, 10)).members as StoredPeer[];
      expect([plain?.ticket, plain?.left, plain?.announcedAt]).toEqual([undefined, undefined, undefined]);
    });

    it('refuses another client a live peer id, for writes and removals; an expired entry belongs to no one', async () => {
      const { port } = world();
      const t = torrent();
      await port.putPeer(t, peer('owned'), NOW);
      const stranger = peer('owned', { ipv4: '10.6.6.6', key: 'other' });
      expect(await port.putPeer(t, stranger, NOW + 1)).toEqual({ outcome: 'owned-by-another-client' });
      expect(await port.removePeer(t, stranger, NOW + 1)).toEqual({ outcome: 'owned-by-another-client' });
      expect(await port.putPeer(t, stranger, NOW + 100)).toMatchObject({ outcome: 'written', previous: { ipv4: '10.0.0.1' } });
    });

    it('removes a peer for its owner, returning the entry; removing what is not there is no error', async () => {
      const { port } = world();
      const t = torrent();
      await port.putPeer(t, peer('leaving', { seeder: true }), NOW);
      expect(await port.removePeer(t, peer('leaving'), NOW + 1)).toMatchObject({ outcome: 'written', previous: { seeder: true } });
      expect((await port.samplePeers(t, 0, 10)).members).toEqual([]);
      expect(await port.removePeer(t, peer('leaving'), NOW + 2)).toEqual({ outcome: 'written', previous: undefined });
    });

    it('keeps a stopped peer gone when an announce from before the stop lands after it; a new start brings it back', async () => {
      const { port } = world();
      const t = torrent();
      await port.putPeer(t, peer('racer'), NOW);
      await port.removePeer(t, peer('racer'), NOW + 1);
      // The regular announce the client sent just before `stopped`, written last.
      expect(await port.putPeer(t, peer('racer'), NOW + 1)).toEqual({ outcome: 'stopped' });
      expect((await port.samplePeers(t, 0, 10)).members).toEqual([]);
      // A repeated stop is no error, and finds nothing to remove.
      expect(await port.removePeer(t, peer('racer'), NOW + 2)).toEqual({ outcome: 'written', previous: undefined });
      expect(await port.putPeer(t, peer('racer'), NOW + 3, { starting: true })).toEqual({ outcome: 'written', previous: undefined });
      expect(names((await port.samplePeers(t, 0, 10)).members)).toEqual(['racer']);
      // Once the stop is old, any announce brings a peer back.
      await port.removePeer(t, peer('racer'), NOW + 4);
      expect(await port.putPeer(t, peer('racer'), NOW + 4 + STOPPED_PEER_SECONDS)).toMatchObject({ outcome: 'written' });
    });

    it('lets a live peer announce started again (a restart without a stop)', async () => {
      const { port } = world();
      const t = torrent();
      await port.putPeer(t, peer('restarts'), NOW);
      expect(await port.putPeer(t, peer('restarts'), NOW + 5, { starting: true })).toMatchObject({
        outcome: 'written',
        previous: { port: 6881 },
      });
      expect(await port.putPeer(t, peer('restarts', { ipv4: '10.6.6.6', key: 'x' }), NOW + 6, { starting: true })).toEqual({
        outcome: 'owned-by-another-client',
      });
    });

    it('sweeps only peers that are still expired', async () => {
      const { port } = world();
      const t = torrent();
      await port.putPeer(t, peer('stale'), NOW);
      await port.putPeer(t, peer('comeback', { ipv4: '10.0.0.2' }), NOW);
      const read = (await port.samplePeers(t, 0, 10)).members as StoredPeer[];
      await port.putPeer(t, peer('comeback', { ipv4: '10.0.0.2', expiresAt: NOW + 500 }), NOW + 150);
      await port.removeExpiredPeers(t, read, NOW + 150);
      expect(names((await port.samplePeers(t, 0, 10)).members)).toEqual(['comeback']);
    });

    it('samples in ring order from a point, wraps round once, and says when it saw the whole swarm', async () => {
      const { port } = world();
      const t = torrent();
      const peers = Array.from({ length: 7 }, (_, i) => peer(`ring${i}`, { ipv4: `10.0.1.${i}` }));
      for (const p of peers) await port.putPeer(t, p, NOW);
      const ring = [...peers].sort((a, b) => a.placement - b.placement);
      const middle = ring[3]!.placement;
      const whole = await port.samplePeers(t, middle, 50);
      expect(names(whole.members)).toEqual(names([...ring.slice(3), ...ring.slice(0, 3)]));
      expect(whole).toMatchObject({ start: middle, wholeSwarm: true });
      const part = await port.samplePeers(t, middle, 5);
      expect(names(part.members)).toEqual(names([...ring.slice(3), ...ring.slice(0, 1)]));
      expect(part.wholeSwarm).toBe(false);
      const ahead = await port.samplePeers(t, ring[1]!.placement, 3);
      expect(names(ahead.members)).toEqual(names(ring.slice(1, 4)));
      expect(ahead.wholeSwarm).toBe(false);
      expect(await port.samplePeers(torrent(), 0, 10)).toEqual({ start: 0, members: [], wholeSwarm: true });
    });

    it('keeps expired peers in samples until they are swept (readers filter on expiry)', async () => {
      const { port } = world();
      const t = torrent();
      await port.putPeer(t, peer('old', { expiresAt: NOW + 1 }), NOW);
      expect(names((await port.samplePeers(t, 0, 10)).members)).toEqual(['old']);
    });

    it('counts one download per peer id and torrent, however often and concurrently it is reported', async () => {
      const { port, registry } = world();
      const t = torrent();
      await register(registry, [t]);
      const id = peer('downloader').peerId;
      const counted = await Promise.all(Array.from({ length: 5 }, () => port.recordDownload(t, id, NOW)));
      expect(counted.filter(Boolean)).toHaveLength(1);
      // Later, after its entry is long gone: still counted.
      expect(await port.recordDownload(t, id, NOW + 7 * 24 * 3600)).toBe(false);
      expect(await port.recordDownload(t, peer('other').peerId, NOW)).toBe(true);
      expect((await port.trackedTorrents([t])).get(t)?.downloaded).toBe(2);
      // Only after the record's lifetime is the same peer id a new download.
      expect(await port.recordDownload(t, id, NOW + DOWNLOAD_RECORD_SECONDS + 1)).toBe(true);
      expect((await port.trackedTorrents([t])).get(t)?.downloaded).toBe(3);
    });

    it('counts nothing for an unregistered torrent, and registers nothing', async () => {
      const { port } = world();
      const t = torrent();
      expect(await port.recordDownload(t, peer('x').peerId, NOW)).toBe(false);
      expect((await port.trackedTorrents([t])).size).toBe(0);
    });

    it('keeps download records out of samples', async () => {
      const { port, registry } = world();
      const t = torrent();
      await register(registry, [t]);
      await port.recordDownload(t, peer('gone').peerId, NOW);
      expect((await port.samplePeers(t, 0, 10)).members).toEqual([]);
    });
  },
});
