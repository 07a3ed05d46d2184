import type { Logger } from '@aws-lambda-powertools/logger';
import type { AccessMode } from '../config/sources';
import { ServiceError } from '../http/errors';
import type { KnownFolders } from '../ports/known-folders';
import type { ObjectHashStore } from '../ports/object-hash-store';
import type { ObjectStore } from '../ports/object-store';
import { folderOptionsOfVariant, type FolderTorrentService } from './folder-service';

export interface FolderEventsDeps {
  readonly folders: FolderTorrentService;
  readonly store: ObjectStore;
  readonly known: KnownFolders;
  readonly hashes: ObjectHashStore;
  readonly sources: { accessFor(bucket: string, key: string): AccessMode | undefined };
  readonly logger?: Logger;
}

/** What an object event did to one folder torrent above it. */
export interface FolderRebuild {
  readonly prefix: string;
  readonly variant: string;
  readonly result: 'rebuilt' | 'current' | 'job' | 'building' | 'forgotten' | 'skipped';
  /** Bytes read for the rebuild: the changed object's, not the folder's. */
  readonly bytesHashed?: number;
  readonly reason?: string;
}

/**
 * Keeps folder torrents current: after an upload, overwrite or delete, every known folder holding
 * the key is rebuilt for every variant asked for. A rebuild lists the folder, reads only the objects
 * whose hashes are not stored (here, the one that changed) and assembles the torrent from stored
 * hashes, so the next `?torrent` is a cache hit. A folder left empty is forgotten. First the
 * hashes of the object's older contents are dropped (all of them when it is gone): the events are
 * where stored hashes are collected.
 */
export async function keepFoldersCurrent(
  deps: FolderEventsDeps,
  bucket: string,
  key: string,
  objectGone: boolean,
): Promise<FolderRebuild[]> {
  await deps.hashes.deleteObject(bucket, key, objectGone ? undefined : await currentEtag(deps.store, bucket, key));
  const rebuilds: FolderRebuild[] = [];
  for (const folder of await deps.known.above(bucket, key)) {
    const access = deps.sources.accessFor(bucket, folder.prefix);
    for (const variant of folder.variants) {
      const options = folderOptionsOfVariant(variant);
      if (access === undefined || options.private !== (access === 'private')) {
        rebuilds.push({ prefix: folder.prefix, variant, result: 'skipped', reason: 'NotServed' });
        continue;
      }
      try {
        const built = await deps.folders.torrentFor(bucket, folder.prefix, options, (k) => deps.sources.accessFor(bucket, k) === access);
        if ('job' in built)
          rebuilds.push({ prefix: folder.prefix, variant, result: 'job', reason: `${built.job.jobId} ${built.job.state}` });
        // A request holds the lease: it builds (and publishes) this listing's torrent.
        else if ('inProgress' in built) rebuilds.push({ prefix: folder.prefix, variant, result: 'building' });
        else
          rebuilds.push({ prefix: folder.prefix, variant, result: built.cached ? 'current' : 'rebuilt', bytesHashed: built.bytesHashed });
      } catch (err) {
        if (!(err instanceof ServiceError) || err.status >= 500) throw err;
        if (err.status === 404) {
          await deps.known.forget(bucket, folder.prefix);
          rebuilds.push({ prefix: folder.prefix, variant, result: 'forgotten' });
          break;
        }
        // Answers about the folder (too large to hash here, a path no client can save...): the next request says so.
        rebuilds.push({ prefix: folder.prefix, variant, result: 'skipped', reason: err.code });
      }
    }
  }
  return rebuilds;
}

/** The object's ETag now; undefined when it is gone (then every record of it goes). */
async function currentEtag(store: ObjectStore, bucket: string, key: string): Promise<string | undefined> {
  try {
    return (await store.head(bucket, key)).etag;
  } catch (err) {
    if (err instanceof ServiceError && err.status === 404) return undefined;
    throw err;
  }
}
