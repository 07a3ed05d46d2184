import type { TorrentFormat } from '../core/build-info';
import { torrentNameForKey } from '../core/torrent-name';
import { ObjectChangedError, ServiceError } from '../http/errors';
import { objectIdentity, type ObjectHead, type ObjectStore } from '../ports/object-store';
import type { BuildLeases } from '../ports/build-leases';
import type { CachedTorrent, TorrentCache, TorrentCacheKey } from '../ports/torrent-cache';
import type { TorrentPublisher } from '../ports/torrent-publisher';
import type { HashingJob } from '../ports/job-store';
import type { ObjectHashStore } from '../ports/object-hash-store';
import { buildObjectTorrent } from './build-torrent';
import type { HashOptions } from './hash-object';
import type { LargeObjectJobs } from './large-object-jobs';
import { LeasedBuilds, type LeaseSettings } from './leased-builds';
import { publicationOf } from './publication';
import { variantOf, type BuildOptions } from './variants';

export interface TorrentServiceDeps {
  readonly store: ObjectStore;
  readonly cache: TorrentCache;
  readonly publisher: TorrentPublisher;
  /** One build per object identity: concurrent requests for an uncached torrent wait for the one holding the lease. */
  readonly leases: BuildLeases;
  readonly leaseSettings?: Partial<LeaseSettings>;
  /** Objects larger than this are not hashed inside a request. */
  readonly inlineHashLimit: number;
  readonly clock?: () => Date;
  readonly hashOptions?: HashOptions;
  /** Builds torrents above the inline limit with the hashing workflow; without it they are refused (413). */
  readonly largeObjects?: LargeObjectJobs;
  /** Object hashes shared with folder torrents (and the object's other variants). */
  readonly objectHashes?: ObjectHashStore;
}

export interface TorrentForObject {
  readonly head: ObjectHead;
  readonly name: string;
  readonly torrent: CachedTorrent;
  readonly format: TorrentFormat;
  /** True when the torrent came from the cache. */
  readonly cached: boolean;
}

/** An object above the inline limit whose torrent the hashing workflow is building (or failed to build). */
export interface TorrentPending {
  readonly head: ObjectHead;
  readonly name: string;
  readonly job: HashingJob;
}

/** An object below the inline limit whose torrent another request was still building when this one stopped waiting. */
export interface TorrentInProgress {
  readonly head: ObjectHead;
  readonly name: string;
  readonly inProgress: { readonly retryAfterSeconds: number };
}

export type TorrentOutcome = TorrentForObject | TorrentPending | TorrentInProgress;

/**
 * Finds or builds the torrent of an object's current identity. A request always HEADs the object
 * first, so an overwritten object is rebuilt instead of served a stale torrent.
 */
export class TorrentService {
  private readonly clock: () => Date;
  private readonly builds: LeasedBuilds;

  constructor(private readonly deps: TorrentServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.builds = new LeasedBuilds({ leases: deps.leases, cache: deps.cache, clock: deps.clock, settings: deps.leaseSettings });
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
    const format = options.format ?? 'v1';
    if (cachedTorrent !== undefined) return { head, name, torrent: cachedTorrent, format, cached: true };

    if (head.size > this.deps.inlineHashLimit) {
      if (this.deps.largeObjects !== undefined) return this.viaWorkflow(this.deps.largeObjects, head, name, cacheKey, format);
      throw new ServiceError(
        413,
        'ObjectTooLargeForInlineHashing',
        `${key} has ${head.size} bytes; this deployment hashes objects of up to ${this.deps.inlineHashLimit} bytes per request.`,
      );
    }
    const result = await this.builds.buildOrWait(cacheKey, async () => {
      const torrent = await this.build(head, name, options);
      await this.deps.publisher.publish(publicationOf(cacheKey, torrent, name));
      return torrent;
    });
    if (result.kind === 'building') return { head, name, inProgress: { retryAfterSeconds: result.retryAfterSeconds } };
    return { head, name, torrent: result.torrent, format, cached: result.kind === 'cached' };
  }

  private async viaWorkflow(
    jobs: LargeObjectJobs,
    head: ObjectHead,
    name: string,
    cacheKey: TorrentCacheKey,
    format: TorrentFormat,
  ): Promise<TorrentOutcome> {
    const found = await jobs.torrentOrJob(head, cacheKey);
    return 'torrent' in found ? { head, name, torrent: found.torrent, format, cached: true } : { head, name, job: found.job };
  }

  private build(head: ObjectHead, name: string, options: BuildOptions): Promise<CachedTorrent> {
    return buildObjectTorrent(this.deps.store, head, name, options, this.clock(), this.deps.hashOptions, this.deps.objectHashes);
  }
}
