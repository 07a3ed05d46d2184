/** Where a cached torrent belongs: one object, one identity of it, one set of build options. */
export interface TorrentCacheKey {
  readonly bucket: string;
  readonly key: string;
  /** objectIdentity() of the object the torrent was built from. */
  readonly identity: string;
  /** The build options, e.g. `v1`; different options give different info dicts. */
  readonly variant: string;
}

export interface CachedTorrent {
  /** Hex v1 infohash. */
  readonly infoHash: string;
  /** The bencoded info dict: the exact bytes the infohash covers. */
  readonly info: Uint8Array;
  readonly size: number;
  readonly pieceLength: number;
  readonly createdAt: Date;
}

export interface TorrentCache {
  get(key: TorrentCacheKey): Promise<CachedTorrent | undefined>;
  /** Stores a torrent and drops torrents of other identities of the same object. */
  put(key: TorrentCacheKey, torrent: CachedTorrent): Promise<void>;
  /** Drops every torrent of an object (all identities and variants); returns how many. */
  evictObject(bucket: string, key: string): Promise<number>;
}
