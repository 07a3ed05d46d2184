import { checkObjectHashes, type ObjectHashes } from '../core/object-hashes';

/**
 * Which object, as which bytes, and which piece length a record of hashes describes. The ETag is
 * the identity: the same key with the same ETag holds the same bytes, in a versioned bucket or not,
 * and a listing gives it without a HEAD per object.
 */
export interface ObjectHashKey {
  readonly bucket: string;
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  readonly pieceLength: number;
}

export interface ObjectHashRecord {
  readonly key: ObjectHashKey;
  readonly hashes: ObjectHashes;
}

/**
 * The piece hashes of objects, stored once per object identity and piece length and shared by
 * every torrent that contains the object: the folder torrents of each prefix above it and its own
 * single-file torrent. A record gains kinds (v1, v2) as torrents need them: writers merge what is
 * stored with what they computed (mergeObjectHashes) and store the union.
 */
export interface ObjectHashStore {
  /** The stored hashes of each key, in order; undefined where nothing is stored. */
  getMany(keys: readonly ObjectHashKey[]): Promise<(ObjectHashes | undefined)[]>;
  /** Stores records, each replacing what was stored under its key (object, ETag, size and piece length). */
  putMany(records: readonly ObjectHashRecord[]): Promise<void>;
  /**
   * Deletes the records of an object's other contents: every record of the key but those of
   * `keepEtag` (the current contents), or all of them when it is not given (the object is gone).
   * Returns how many were deleted.
   */
  deleteObject(bucket: string, key: string, keepEtag?: string): Promise<number>;
}

/** Throws unless the hashes are whole and of their key's size and piece length: what every store checks before writing. */
export function checkObjectHashRecord(key: ObjectHashKey, hashes: ObjectHashes): void {
  checkObjectHashes(hashes);
  if (hashes.size !== key.size || hashes.pieceLength !== key.pieceLength)
    throw new RangeError('the hashes are of another size or piece length than their key');
}
