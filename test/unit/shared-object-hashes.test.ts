import { buildInfo } from '../../lambdas/core/build-info';
import { FolderTorrentService, type FolderOutcome } from '../../lambdas/folders/folder-service';
import { TorrentService } from '../../lambdas/torrents/torrent-service';
import { MemoryBuildLeases, MemoryCache, MemoryObjectStore, MemoryPublisher } from '../support/fakes';
import { MemoryObjectHashStore, MemoryObjectListing } from '../support/folder-fakes';
import { referenceFolderInfo } from '../support/folders';
import { testBytes } from '../support/service';
import { TorrentPieceHasher } from '../../lambdas/core/build-info';

// One object's hashes serve every torrent that holds it: folder torrents of the prefixes above it
// and its own single-file torrent, whichever is built first.
describe('object hashes shared by folder and single-object torrents', () => {
  const store = new MemoryObjectStore();
  const hashes = new MemoryObjectHashStore();
  const cache = new MemoryCache();
  const publisher = new MemoryPublisher(cache);
  const leases = new MemoryBuildLeases();
  const listing = new MemoryObjectListing(store, 2);
  const folders = new FolderTorrentService({ listing, store, hashes, cache, publisher, leases, inlineHashLimit: 1e9 });
  const objects = new TorrentService({ store, cache, publisher, leases, inlineHashLimit: 1e9, objectHashes: hashes });
  const a = testBytes(100_000, 1);
  const b = testBytes(50_000, 2);
  const c = testBytes(70_000, 3);
  store.put('bk', 'top/a.bin', a);
  store.put('bk', 'top/sub/b.bin', b);
  store.put('bk', 'top/sub/c.bin', c);

  const built = async (outcome: Promise<FolderOutcome>) => {
    const found = await outcome;
    if (!('torrent' in found)) throw new Error('expected a torrent, not a job or a build in progress');
    return found;
  };

  it('reads each object once across the folder torrents above it and its own torrent', async () => {
    const top = await built(folders.torrentFor('bk', 'top/', { format: 'hybrid' }));
    expect(top.bytesHashed).toBe(220_000);
    expect(listing.pages).toBe(2); // three keys, two a page: one build reads every page of one listing
    const readsAfterTop = store.reads;
    const sub = await built(folders.torrentFor('bk', 'top/sub/', { format: 'hybrid' }));
    expect(sub.bytesHashed).toBe(0);
    const single = await objects.torrentFor('bk', 'top/sub/b.bin', { format: 'hybrid' });
    expect(store.reads).toBe(readsAfterTop);
    const hasher = new TorrentPieceHasher(32 * 1024, 'hybrid');
    hasher.update(b);
    const expected = buildInfo({ format: 'hybrid', name: 'b.bin', length: b.length, pieceLength: 32 * 1024, hashes: hasher.digest() });
    expect('torrent' in single && Buffer.from(single.torrent.info).equals(Buffer.from(expected.info))).toBe(true);
    expect(
      Buffer.from(sub.torrent.info).equals(
        Buffer.from(
          referenceFolderInfo(
            'sub',
            [
              { path: ['b.bin'], data: b },
              { path: ['c.bin'], data: c },
            ],
            32 * 1024,
            'hybrid',
            'bep47',
          ).info,
        ),
      ),
    ).toBe(true);
  });

  it('a single-object torrent built first leaves its hashes for the folder', async () => {
    store.put('bk', 'other/x.bin', testBytes(40_000, 4));
    store.put('bk', 'other/y.bin', testBytes(40_000, 5));
    await objects.torrentFor('bk', 'other/x.bin');
    const folder = await built(folders.torrentFor('bk', 'other/'));
    expect(folder.bytesHashed).toBe(40_000);
  });
});
