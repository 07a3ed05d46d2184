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
export const DEFAULT_VARIANT = 'v1';

/**
 * Finds or builds the torrent of an object's current identity. A request always HEADs the object
 * first, so an overwritten object is rebuilt instead of served a stale torrent.
 */
export class TorrentService {
  private readonly clock: () => Date;

  constructor(private readonly deps: TorrentServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async torrentFor(bucket: string, key: string): Promise<TorrentForObject> {
    // One retry covers an object overwritten while it was being hashed; a second change in a row
    // is reported to the caller rather than chased.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.torrentForCurrentIdentity(bucket, key);
      } catch (err) {
        if (!(err instanceof ObjectChangedError) || attempt >= 2) throw err;
      }
    }
  }

  private async torrentForCurrentIdentity(bucket: string, key: string): Promise<TorrentForObject> {
    const head = await this.deps.store.head(bucket, key);
    const name = torrentNameForKey(key);
    if (name === undefined) {
      throw new ServiceError(422, 'InvalidTorrentName', `The key ${JSON.stringify(key)} has no file name to give a torrent.`);
    }
    if (head.size === 0) {
      throw new ServiceError(422, 'EmptyObject', `${key} is empty: a torrent cannot describe a zero-byte object.`);
    }
    const cacheKey: TorrentCacheKey = { bucket, key, identity: objectIdentity(head), variant: DEFAULT_VARIANT };
    const cachedTorrent = await this.deps.cache.get(cacheKey);
    if (cachedTorrent !== undefined) return { head, name, torrent: cachedTorrent, cached: true };

    if (head.size > this.deps.inlineHashLimit) {
      throw new ServiceError(
        413,
        'ObjectTooLargeForInlineHashing',
        `${key} has ${head.size} bytes; this deployment hashes objects of up to ${this.deps.inlineHashLimit} bytes per request.`,
      );
    }
    const torrent = await this.build(head, name);
    await this.deps.cache.put(cacheKey, torrent);
    await this.deps.registry.register({ infoHashes: [torrent.infoHash], bucket, key, name, size: head.size });
    return { head, name, torrent, cached: false };
  }

  private async build(head: ObjectHead, name: string): Promise<CachedTorrent> {
    const pieceLength = pieceLengthFor(head.size);
    const pieces = await hashObjectPieces(this.deps.store, head, pieceLength, undefined, this.deps.hashOptions);
    const info = encodeInfoV1({ name, length: head.size, pieceLength, pieces });
    return {
      infoHash: Buffer.from(infoHashV1(info)).toString('hex'),
      info,
      size: head.size,
      pieceLength,
      createdAt: this.clock(),
    };
  }
}
