import { encodeInfoV1, infoHashV1 } from '../core/info-dict';
import { pieceLengthFor } from '../core/piece-length';
import { torrentNameForKey } from '../core/torrent-name';
import { ObjectChangedError, ServiceError } from '../shared/errors';
import { objectIdentity, type ObjectHead, type ObjectStore } from '../ports/object-store';
import type { CachedTorrent, TorrentCache, TorrentCacheKey } from '../ports/torrent-cache';
import type { TorrentRegistry } from '../ports/torrent-registry';
import { hashObjectPieces, type HashOptions } from './hash-object';

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
  /** True when the torrent came from the cache. */
  readonly cached: boolean;
}

/** Build options that change the info dict, and so the cache entry. */
export interface BuildOptions {
  /** BEP 27 `private=1`: clients use only the tracker (no DHT, PEX, LSD). Changes the infohash. */
  readonly private?: boolean;
}

export const DEFAULT_VARIANT = 'v1';

/** The cache variant of a set of build options: `v1`, `v1+private`. */
export function variantOf(options: BuildOptions): string {
  return options.private ? `${DEFAULT_VARIANT}+private` : DEFAULT_VARIANT;
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
    if (cachedTorrent !== undefined) return { head, name, torrent: cachedTorrent, cached: true };

    if (head.size > this.deps.inlineHashLimit) {
      throw new ServiceError(
        413,
        'ObjectTooLargeForInlineHashing',
        `${key} has ${head.size} bytes; this deployment hashes objects of up to ${this.deps.inlineHashLimit} bytes per request.`,
      );
    }
    const torrent = await this.build(head, name, options);
    await this.deps.cache.put(cacheKey, torrent);
    await this.deps.registry.register({ infoHashes: [torrent.infoHash], bucket, key, name, size: head.size, private: options.private === true });
    return { head, name, torrent, cached: false };
  }

  private async build(head: ObjectHead, name: string, options: BuildOptions): Promise<CachedTorrent> {
    const pieceLength = pieceLengthFor(head.size);
    const pieces = await hashObjectPieces(this.deps.store, head, pieceLength, undefined, this.deps.hashOptions);
    const info = encodeInfoV1({ name, length: head.size, pieceLength, pieces, private: options.private });
    return {
      infoHash: Buffer.from(infoHashV1(info)).toString('hex'),
      info,
      size: head.size,
      pieceLength,
      createdAt: this.clock(),
    };
  }
}
