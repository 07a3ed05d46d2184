import { FOLDER_LIMITS, FolderLayoutError } from '../../lambdas/core/folder-layout';
import { folderServiceError } from '../../lambdas/folders/folder-errors';
import { FolderTorrentService } from '../../lambdas/folders/folder-service';
import { ServiceError } from '../../lambdas/http/errors';
import { MemoryBuildLeases, MemoryCache, MemoryObjectStore, MemoryPublisher } from '../support/fakes';
import { MemoryObjectHashStore, MemoryObjectListing } from '../support/folder-fakes';

// Past a limit a folder is refused whole, as docs/folders.md states: too big is 413, a path no
// client can save is 422; nothing is published.
describe('folder limits', () => {
  const make = () => {
    const store = new MemoryObjectStore();
    const cache = new MemoryCache();
    const publisher = new MemoryPublisher(cache);
    const service = new FolderTorrentService({
      listing: new MemoryObjectListing(store, 1000),
      store,
      hashes: new MemoryObjectHashStore(),
      cache,
      publisher,
      leases: new MemoryBuildLeases(),
      inlineHashLimit: 1e9,
    });
    return { store, service, publisher };
  };
  const refusal = async (promise: Promise<unknown>) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof ServiceError)) throw new Error(`expected a ServiceError, got ${String(err)}`);
    return { status: err.status, code: err.code };
  };

  it(`refuses more than ${FOLDER_LIMITS.maxFiles} objects with 413 FolderTooLarge`, async () => {
    const { store, service, publisher } = make();
    for (let i = 0; i <= FOLDER_LIMITS.maxFiles; i++) store.put('bk', `big/${i}`, Buffer.from([i % 256]));
    expect(await refusal(service.torrentFor('bk', 'big/'))).toEqual({ status: 413, code: 'FolderTooLarge' });
    expect(publisher.published).toEqual([]);
  });

  it('refuses a path element longer than 255 bytes with 422 PathTooLong', async () => {
    const { store, service, publisher } = make();
    store.put('bk', 'long/ok.bin', Buffer.alloc(10));
    store.put('bk', `long/${'x'.repeat(256)}`, Buffer.alloc(10));
    expect(await refusal(service.torrentFor('bk', 'long/'))).toEqual({ status: 422, code: 'PathTooLong' });
    expect(publisher.published).toEqual([]);
  });

  it('maps a torrent over 4 MiB to 413 TorrentTooLarge', () => {
    const err = folderServiceError(new FolderLayoutError('TorrentTooLarge', 'too large'), 'bk', 'p/');
    expect(err).toMatchObject({ status: 413, code: 'TorrentTooLarge' });
  });
});
