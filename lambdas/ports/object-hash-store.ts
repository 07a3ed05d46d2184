import type { ObjectHashes } from '../core/object-hashes';

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

/**
 * The piece hashes of objects, stored once per object identity and piece length and shared by
 * every torrent that contains the object: the folder torrents of each prefix above it and its own
 * single-file torrent. A record gains kinds (v1, v2) as torrents need them.
 */
export interface ObjectHashStore {
  /** The stored hashes of each key, in order; undefined where nothing is stored. */
  getMany(keys: readonly ObjectHashKey[]): Promise<(ObjectHashes | undefined)[]>;
  /**
   * Stores an object's hashes, adding the kinds they have to those stored; the records of the
   * key's other ETags (older contents) are deleted.
   */
  put(key: ObjectHashKey, hashes: ObjectHashes): Promise<void>;
  /** Deletes every record of a key (the object is gone); returns how many. */
  deleteObject(bucket: string, key: string): Promise<number>;
}
