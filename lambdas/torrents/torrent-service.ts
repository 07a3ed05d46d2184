import type { TorrentFormat } from '../core/build-info';
import { torrentNameForKey } from '../core/torrent-name';
import { ObjectChangedError, ServiceError } from '../shared/errors';
import { objectIdentity, type ObjectHead, type ObjectStore } from '../ports/object-store';
import type { CachedTorrent, TorrentCache, TorrentCacheKey } from '../ports/torrent-cache';
import type { TorrentRegistry } from '../ports/torrent-registry';
import { announcedInfoHashes, buildObjectTorrent } from './build-torrent';
import type { HashOptions } from './hash-object';

export interface TorrentServiceDeps {
  readonly store: ObjectStore;
  readonly cache: TorrentCache;
  readonly registry: TorrentRegistry;
  /** Objects larger than this are not hashed inside a request. */
  readonly inlineHashLimit: number;
  readonly clock?: () => Date;
  readonly hashOptions?: HashOptions;
}

export interface TorrentForObject {
  readonly head: ObjectHead;
  readonly name: string;
  readonly torrent: CachedTorrent;
  readonly format: TorrentFormat;
  /** True when the torrent came from the cache. */
  readonly cached: boolean;
}

/** Build options that change the info dict, and so the cache entry. */
export interface BuildOptions {
  /** BEP 27 `private=1`: clients use only the tracker (no DHT, PEX, LSD). Changes the infohash. */
  readonly private?: boolean;
  /** v1 (the default), v2 or hybrid (BEP 52). */
  readonly format?: TorrentFormat;
}

export const DEFAULT_VARIANT = 'v1';

/** The cache variant of a set of build options: `v1`, `v2`, `hybrid`, `v1+private`... */
export function variantOf(options: BuildOptions): string {
  const format = options.format ?? DEFAULT_VARIANT;
  return options.private ? `${format}+private` : format;
}

/**
 * Finds or builds the torrent of an object's current identity. A request always HEADs the object
 * first, so an overwritten object is rebuilt instead of served a stale torrent.
 */
export class TorrentService {
  private readonly clock: () => Date;

  constructor(private readonly deps: TorrentServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async torrentFor(bucket: string, key: string, options: BuildOptions = {}): Promise<TorrentForObject> {
    // One retry covers an object overwritten while it was being hashed; a second change in a row
    // is reported to the caller rather than chased.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.torrentForCurrentIdentity(bucket, key, options);
      } catch (err) {
        if (!(err instanceof ObjectChangedError) || attempt >= 2) throw err;
      }
    }
  }

  private async torrentForCurrentIdentity(bucket: string, key: string, options: BuildOptions): Promise<TorrentForObject> {
    const head = await this.deps.store.head(bucket, key);
    const name = torrentNameForKey(key);
    if (name === undefined) {
      throw new ServiceError(422, 'InvalidTorrentName', `The key ${JSON.stringify(key)} has no file name to give a torrent.`);
    }
    if (head.size === 0) {
      throw new ServiceError(422, 'EmptyObject', `${key} is empty: a torrent cannot describe a zero-byte object.`);
    }
    const cacheKey: TorrentCacheKey = { bucket, key, identity: objectIdentity(head), variant: variantOf(options) };
    const cachedTorrent = await this.deps.cache.get(cacheKey);
    const format = options.format ?? 'v1';
    if (cachedTorrent !== undefined) return { head, name, torrent: cachedTorrent, format, cached: true };

    if (head.size > this.deps.inlineHashLimit) {
      throw new ServiceError(
        413,
        'ObjectTooLargeForInlineHashing',
        `${key} has ${head.size} bytes; this deployment hashes objects of up to ${this.deps.inlineHashLimit} bytes per request.`,
      );
    }
    const torrent = await this.build(head, name, options);
    await this.deps.cache.put(cacheKey, torrent);
    const infoHashes = announcedInfoHashes(torrent.info, format);
    await this.deps.registry.register({ infoHashes, bucket, key, name, size: head.size, private: options.private === true });
    return { head, name, torrent, format, cached: false };
  }

  private build(head: ObjectHead, name: string, options: BuildOptions): Promise<CachedTorrent> {
    return buildObjectTorrent(this.deps.store, head, name, options, this.clock(), this.deps.hashOptions);
  }
}
