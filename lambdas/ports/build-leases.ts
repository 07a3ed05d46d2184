import type { TorrentCacheKey } from './torrent-cache';

/** Who builds a torrent right now, and until when that claim holds unless renewed. */
export interface BuildLease {
  /** Random per build attempt (one request), so a takeover is never mistaken for the old holder. */
  readonly holder: string;
  readonly expiresAt: Date;
}

/**
 * Short leases that let exactly one caller build the torrent of one object identity and variant
 * (a TorrentCacheKey) while the others wait for the cache. A lease is the holder's claim until it
 * expires; a holder that crashes stops renewing, and the lease can then be taken over.
 */
export interface BuildLeases {
  /**
   * Takes the lease when nobody holds it or the current lease expired by `now`; true when taken.
   * Exactly one of any number of concurrent callers gets true.
   */
  acquire(key: TorrentCacheKey, lease: BuildLease, now: Date): Promise<boolean>;
  /** Moves the expiry of a lease `lease.holder` still holds; false when it was taken over or released. */
  renew(key: TorrentCacheKey, lease: BuildLease): Promise<boolean>;
  /** Ends the lease if `holder` still holds it; another holder's lease is left alone. */
  release(key: TorrentCacheKey, holder: string): Promise<void>;
  /** The lease on this key, expired or not; reflects every acquire, renew and release that finished before. */
  current(key: TorrentCacheKey): Promise<BuildLease | undefined>;
}
