/** Where a cached torrent belongs: one object, one identity of it, one set of build options. */
export interface TorrentCacheKey {
  readonly bucket: string;
  readonly key: string;
  /** objectIdentity() of the object the torrent was built from. */
  readonly identity: string;
  /** The build options: the torrent format (`v1`, `v2`, `hybrid`); different options give different info dicts. */
  readonly variant: string;
}

export interface CachedTorrent {
  /** Hex SHA-1 of `info`: the v1 infohash (for a v2-only torrent, only a check that `info` is intact). */
  readonly infoHash: string;
  /** The bencoded info dict: the exact bytes the infohash covers. */
  readonly info: Uint8Array;
  /** The bencoded BEP 52 `piece layers` dict (v2 and hybrid torrents of more than one piece). */
  readonly pieceLayers?: Uint8Array;
  readonly size: number;
  readonly pieceLength: number;
  readonly createdAt: Date;
}

export interface CacheReadOptions {
  /**
   * See every publish that finished before the read began (a strongly consistent read). Needed
   * where a miss leads to a build, after another builder may just have published.
   */
  readonly consistent?: boolean;
}

/** Reading and evicting cached torrents; they are written only by publishing (see TorrentPublisher). */
export interface TorrentCache {
  get(key: TorrentCacheKey, options?: CacheReadOptions): Promise<CachedTorrent | undefined>;
  /** Drops every torrent of an object (all identities and variants); returns how many. */
  evictObject(bucket: string, key: string): Promise<number>;
}
