import type { CachedTorrent, TorrentCacheKey } from './torrent-cache';

/** A torrent this service built, as the tracker knows it: the tracker serves only registered infohashes. */
export interface RegisteredTorrent {
  /** Hex infohashes clients announce with (v1, and the truncated v2 hash for v2/hybrid). */
  readonly infoHashes: readonly string[];
  readonly bucket: string;
  readonly key: string;
  readonly name: string;
  readonly size: number;
  /** BEP 27 private torrent: the tracker serves it only through its announce token URL. */
  readonly private: boolean;
}

/** Everything that makes a built torrent servable and announceable. */
export interface TorrentPublication {
  readonly key: TorrentCacheKey;
  readonly torrent: CachedTorrent;
  readonly registration: RegisteredTorrent;
}

/**
 * The one way a built torrent becomes visible. `publish` makes the cache entry and the tracker
 * registration appear together or not at all: a crash at any point leaves either both (the torrent
 * is served and announceable) or neither (the next request builds it again). Publishing the same
 * torrent again is harmless (a retry, or two builders of one identity). It also drops the cache
 * entries of the object's other identities, after the fact and best effort.
 */
export interface TorrentPublisher {
  publish(publication: TorrentPublication): Promise<void>;
}
