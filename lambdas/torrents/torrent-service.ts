import { encodeInfoV1, infoHashV1 } from '../core/info-dict';
import { pieceLengthFor } from '../core/piece-length';
import { torrentNameForKey } from '../core/torrent-name';
import { ObjectChangedError, ServiceError } from '../shared/errors';
import { objectIdentity, type ObjectHead, type ObjectStore } from '../ports/object-store';
import type { CachedTorrent, TorrentCache, TorrentCacheKey } from '../ports/torrent-cache';
import type { TorrentRegistry } from '../ports/torrent-registry';
import type { HashingJob } from '../ports/job-store';
import { hashObjectPieces, type HashOptions } from './hash-object';
import type { LargeObjectJobs } from './large-object-jobs';

export interface TorrentServiceDeps {
  readonly store: ObjectStore;
  readonly cache: TorrentCache;
  readonly registry: TorrentRegistry;
  /** Objects larger than this are not hashed inside a request. */
  readonly inlineHashLimit: number;
  readonly clock?: () => Date;
  readonly hashOptions?: HashOptions;
  /** Builds torrents above the inline limit with the hashing workflow; without it they are refused (413). */
  readonly largeObjects?: LargeObjectJobs;
}

export interface TorrentForObject {
  readonly head: ObjectHead;
  readonly name: string;
  readonly torrent: CachedTorrent;
  /** True when the torrent came from the cache. */
  readonly cached: boolean;
}

/** An object above the inline limit whose torrent the hashing workflow is building (or failed to build). */
export interface TorrentPending {
  readonly head: ObjectHead;
  readonly name: string;
  readonly job: HashingJob;
}

export type TorrentOutcome = TorrentForObject | TorrentPending;

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

/** The build options a variant stands for (the workflow carries the variant, not the options). */
export function optionsOfVariant(variant: string): BuildOptions {
  return { private: variant.endsWith('+private') };
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

  async torrentFor(bucket: string, key: string, options: BuildOptions = {}): Promise<TorrentOutcome> {
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

  private async torrentForCurrentIdentity(bucket: string, key: string, options: BuildOptions): Promise<TorrentOutcome> {
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
      if (this.deps.largeObjects !== undefined) return this.viaWorkflow(this.deps.largeObjects, head, name, cacheKey);
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

  private async viaWorkflow(jobs: LargeObjectJobs, head: ObjectHead, name: string, cacheKey: TorrentCacheKey): Promise<TorrentOutcome> {
    const found = await jobs.torrentOrJob(head, cacheKey);
    return 'torrent' in found ? { head, name, torrent: found.torrent, cached: true } : { head, name, job: found.job };
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
