import { FolderTorrentService } from '../../lambdas/folders/folder-service';
import { MemoryBuildLeases, MemoryCache, MemoryObjectStore, MemoryPublisher, MemorySwarmStore } from '../support/fakes';
import { MemoryObjectHashStore, MemoryObjectListing } from '../support/folder-fakes';
import { testBytes } from '../support/service';

// Folder torrents become visible as object torrents do: through the TorrentPublisher (cache entry
// and tracker registration together), built once per listing and variant under a build lease.
describe('folder torrents are published like object torrents', () => {
  const make = () => {
    const store = new MemoryObjectStore();
    const cache = new MemoryCache();
    const swarm = new MemorySwarmStore();
    const publisher = new MemoryPublisher(cache, swarm);
    const leases = new MemoryBuildLeases();
    const service = new FolderTorrentService({
      listing: new MemoryObjectListing(store),
      store,
      hashes: new MemoryObjectHashStore(),
      cache,
      publisher,
      leases,
      leaseSettings: { firstPollMs: 1, maxPollMs: 5 },
      inlineHashLimit: 1e9,
    });
    store.put('bk', 'set/a.bin', testBytes(90_000, 1));
    store.put('bk', 'set/b/c.bin', testBytes(40_000, 2));
    return { service, publisher, leases };
  };

  it('publishes the cache entry and the registration of every announced infohash in one step', async () => {
    const { service, publisher } = make();
    const built = await service.torrentFor('bk', 'set/', { format: 'hybrid' });
    if (!('torrent' in built)) throw new Error('expected a torrent');
    expect(publisher.published).toHaveLength(1);
    const [publication] = publisher.published;
    expect(publication?.key).toMatchObject({ bucket: 'bk', key: 'set/', variant: 'hybrid' });
    expect(publication?.registration).toMatchObject({ bucket: 'bk', key: 'set/', name: 'set', size: 130_000, private: false });
    expect(publication?.registration.infoHashes).toHaveLength(2);
    expect(publication?.registration.infoHashes[0]).toBe(built.torrent.infoHash);
  });

  it('builds once for many concurrent requests of one listing; the others read what it published', async () => {
    const { service, publisher, leases } = make();
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => service.torrentFor('bk', 'set/')));
    const torrents = outcomes.map((o) => {
      if (!('torrent' in o)) throw new Error('expected a torrent');
      return o;
    });
    expect(publisher.published).toHaveLength(1);
    expect(torrents.filter((t) => !t.cached)).toHaveLength(1);
    expect(torrents.reduce((sum, t) => sum + t.bytesHashed, 0)).toBe(130_000);
    expect(new Set(torrents.map((t) => t.torrent.infoHash)).size).toBe(1);
    expect(leases.acquired).toBe(1);
  });
});
