import { buildInfo, hasV2, trackerInfoHashes, type TorrentFormat } from '../core/build-info';
import { infoHashV1 } from '../core/info-dict';
import { infoHashV2 } from '../core/info-dict-v2';
import { pieceLengthFor } from '../core/piece-length';
import type { ObjectHead, ObjectStore } from '../ports/object-store';
import type { CachedTorrent } from '../ports/torrent-cache';
import { hashObject, hashRangesInParallel, type HashOptions } from './hash-object';
import {
  hashKindsOf,
  hasKinds,
  joinRangeHashes,
  mergeObjectHashes,
  ObjectHashesHasher,
  singleFileHashes,
  type HashKind,
  type ObjectHashes,
} from '../core/object-hashes';
import type { ObjectHashStore } from '../ports/object-hash-store';

/**
 * Hashes an object (parallel ranged reads) and builds its torrent (v1 unless told), ready to cache.
 * With a store of object hashes, the hashes of this object at this piece length are taken from it
 * when a folder torrent (or another variant) computed them, and stored for them otherwise.
 */
export async function buildObjectTorrent(
  store: ObjectStore,
  head: ObjectHead,
  name: string,
  options: { readonly format?: TorrentFormat; readonly private?: boolean },
  createdAt: Date,
  hashOptions?: HashOptions,
  objectHashes?: ObjectHashStore,
): Promise<CachedTorrent> {
  const format = options.format ?? 'v1';
  const pieceLength = pieceLengthFor(head.size);
  const hashes =
    objectHashes === undefined
      ? await hashObject(store, head, pieceLength, format, undefined, hashOptions)
      : singleFileHashes(await storedOrHashed(store, objectHashes, head, pieceLength, hashKindsOf(format), hashOptions), format);
  const built = buildInfo({ format, name, length: head.size, pieceLength, hashes, private: options.private });
  return {
    infoHash: Buffer.from(infoHashV1(built.info)).toString('hex'),
    info: built.info,
    pieceLayers: built.pieceLayers,
    size: head.size,
    pieceLength,
    createdAt,
  };
}

/** The object's hashes of the kinds asked: stored ones, or read, hashed and stored (added to the kinds already there). */
async function storedOrHashed(
  store: ObjectStore,
  objectHashes: ObjectHashStore,
  head: ObjectHead,
  pieceLength: number,
  kinds: readonly HashKind[],
  hashOptions?: HashOptions,
): Promise<ObjectHashes> {
  const key = { bucket: head.bucket, key: head.key, etag: head.etag, size: head.size, pieceLength };
  const [stored] = await objectHashes.getMany([key]);
  if (stored !== undefined && hasKinds(stored, kinds)) return stored;
  const lacking = kinds.filter((k) => stored?.[k] === undefined);
  const parts = await hashRangesInParallel(
    (range) => store.readRange(head, range),
    { start: 0, end: head.size },
    pieceLength,
    () => new ObjectHashesHasher(pieceLength, lacking),
    hashOptions,
  );
  const fresh = joinRangeHashes(head.size, pieceLength, parts);
  const all = stored === undefined ? fresh : mergeObjectHashes(fresh, stored);
  await objectHashes.putMany([{ key, hashes: all }]);
  return all;
}

/** The infohashes of a cached info dict, hex: v1 (SHA-1) and v2 (SHA-256) as its format has them. */
export function infoHashesOf(info: Uint8Array, format: TorrentFormat): { v1?: string; v2?: string } {
  return {
    v1: format !== 'v2' ? Buffer.from(infoHashV1(info)).toString('hex') : undefined,
    v2: hasV2(format) ? Buffer.from(infoHashV2(info)).toString('hex') : undefined,
  };
}

/** What the tracker must know of a torrent: its v1 hash and/or its v2 hash truncated to 20 bytes. */
export function announcedInfoHashes(info: Uint8Array, format: TorrentFormat): string[] {
  return trackerInfoHashes({
    infoHashV1: format !== 'v2' ? infoHashV1(info) : undefined,
    infoHashV2: hasV2(format) ? infoHashV2(info) : undefined,
  });
}
