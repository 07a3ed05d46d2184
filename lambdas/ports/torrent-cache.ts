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

export interface TorrentCache {
  get(key: TorrentCacheKey): Promise<CachedTorrent | undefined>;
  /** Stores a torrent and drops torrents of other identities of the same object. */
  put(key: TorrentCacheKey, torrent: CachedTorrent): Promise<void>;
  /** Drops every torrent of an object (all identities and variants); returns how many. */
  evictObject(bucket: string, key: string): Promise<number>;
}
