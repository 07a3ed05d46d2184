import { randomBytes } from 'node:crypto';
import { DynamoDbSwarmStore } from '../../lambdas/adapters/dynamodb-swarm-store';
import { DynamoDbTorrentRegistry } from '../../lambdas/adapters/dynamodb-torrent-registry';
import { SWARM_TABLE_SCHEMA } from '../../lambdas/config/tables';
import type { SwarmStore } from '../../lambdas/ports/swarm-store';
import type { RegisteredTorrent, TorrentRegistry } from '../../lambdas/ports/torrent-registry';
import { MemoryRegistry, MemorySwarmStore } from '../support/fakes';
import { portContract, portMethods, type Fixture } from './support/contract';
import { standInWorld } from './support/stand-ins';

/** The registry is observed through what the tracker reads: the swarm store over the same table. */
interface RegistryWorld extends Fixture<TorrentRegistry> {
  readonly swarm: SwarmStore;
}

const torrent = (fields: Partial<RegisteredTorrent> = {}): RegisteredTorrent => ({
  infoHashes: [randomBytes(20).toString('hex')],
  bucket: 'b',
  key: 'dir/file.bin',
  name: 'file.bin',
  size: 1234,
  private: false,
  ...fields,
});

portContract<TorrentRegistry, RegistryWorld>({
  port: 'TorrentRegistry',
  methods: portMethods<TorrentRegistry>()('register'),
  targets: [
    {
      name: 'fake',
      setUp: () => {
        const swarm = new MemorySwarmStore();
        return { port: new MemoryRegistry(swarm), swarm };
      },
    },
    {
      name: 'DynamoDB Local',
      setUp: async () => {
        const world = standInWorld('registry');
        const table = await world.table(SWARM_TABLE_SCHEMA);
        return {
          port: new DynamoDbTorrentRegistry(world.clients.dynamoDb, table),
          swarm: new DynamoDbSwarmStore(world.clients.dynamoDb, table),
          dispose: world.dispose,
        };
      },
    },
  ],
  tests: (world) => {
    it('makes the tracker serve a torrent under each of its infohashes, with one announce token (from the first)', async () => {
      const { port, swarm } = world();
      const hybrid = torrent({ infoHashes: [randomBytes(20).toString('hex'), randomBytes(20).toString('hex')], private: true });
      await port.register(hybrid);
      const found = await swarm.trackedTorrents(hybrid.infoHashes);
      for (const infoHash of hybrid.infoHashes) {
        expect(found.get(infoHash)).toEqual({ infoHash, downloaded: 0, private: true, tokenHash: hybrid.infoHashes[0] });
      }
    });

    it('keeps the download counter when a torrent is registered again (a rebuild, or the same bytes under another key)', async () => {
      const { port, swarm } = world();
      const t = torrent();
      const infoHash = t.infoHashes[0]!;
      await port.register(t);
      expect(await swarm.recordDownload(infoHash, randomBytes(20), 1_900_000_000)).toBe(true);
      await port.register({ ...t, key: 'other/file.bin' });
      expect((await swarm.trackedTorrents([infoHash])).get(infoHash)).toMatchObject({ downloaded: 1, private: false });
    });

    it('registers nothing else', async () => {
      const { port, swarm } = world();
      await port.register(torrent());
      expect((await swarm.trackedTorrents([randomBytes(20).toString('hex')])).size).toBe(0);
    });
  },
});
