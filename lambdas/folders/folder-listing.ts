import { createHash } from 'node:crypto';
import { FOLDER_LIMITS, FolderLayoutError, type FolderFile } from '../core/folder-layout';
import type { ListedObject, ObjectListing } from '../ports/object-listing';

/** An object of a folder: as listed, and as a file of the folder's torrent. */
export interface FolderObject extends ListedObject, FolderFile {}

/**
 * The name of a folder's torrent: the last segment of its prefix (`data/2024/` -> `2024`), or
 * undefined when the prefix has an empty, `.` or `..` segment (`a//`, `./`, `/`).
 */
export function folderNameOf(prefix: string): string | undefined {
  if (!prefix.endsWith('/')) return undefined;
  const segments = prefix.slice(0, -1).split('/');
  const last = segments[segments.length - 1];
  if (segments.some((s) => s.length === 0 || s === '.' || s === '..')) return undefined;
  return last;
}

/**
 * The files of a folder, from a listing of its prefix: paths are keys relative to the prefix, split
 * on `/`. Folder markers (keys ending in `/`, as consoles create for empty directories) hold no
 * file and are left out; every other key becomes a file, and keys no client could save make the
 * layout refuse the folder (no torrent silently leaves one out).
 */
export function folderObjects(prefix: string, listed: readonly ListedObject[]): FolderObject[] {
  return listed
    .filter((o) => o.key.startsWith(prefix) && !o.key.endsWith('/'))
    .map((o) => ({ ...o, path: o.key.slice(prefix.length).split('/'), length: o.size }));
}

/**
 * Lists a folder, page by page, and stops as soon as it holds more files than a torrent may: a
 * folder of millions of keys costs a few pages, not millions. One build describes exactly the
 * objects of this one listing.
 */
export async function listFolder(listing: ObjectListing, bucket: string, prefix: string): Promise<FolderObject[]> {
  const objects: FolderObject[] = [];
  for await (const page of listing.list(bucket, prefix)) {
    objects.push(...folderObjects(prefix, page));
    if (objects.length > FOLDER_LIMITS.maxFiles) {
      throw new FolderLayoutError(
        'TooManyFiles',
        `a folder torrent holds at most ${FOLDER_LIMITS.maxFiles} files; ${bucket}/${prefix} has more`,
      );
    }
  }
  return objects;
}

/**
 * What a folder torrent is cached under: a digest of its listing (every key, ETag and size), so a
 * cached torrent always describes exactly the objects there are now; any upload, overwrite or
 * delete under the prefix makes a new digest, and so a new torrent.
 */
export function listingDigest(bucket: string, prefix: string, objects: readonly ListedObject[]): string {
  const hash = createHash('sha256').update(`s3-torrent-folder-listing-v1\n${bucket}\n${prefix}\n`);
  const sorted = [...objects].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  for (const o of sorted) hash.update(`${o.key}\u0000${o.etag}\u0000${o.size}\n`);
  return hash.digest('hex');
}
