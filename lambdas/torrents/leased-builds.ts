import { randomUUID } from 'node:crypto';
import type { BuildLeases } from '../ports/build-leases';
import type { CachedTorrent, TorrentCache, TorrentCacheKey } from '../ports/torrent-cache';

export interface LeaseSettings {
  /** How long a lease holds unless renewed; a crashed builder's lease can be taken over this long after its last renewal. */
  readonly leaseMs: number;
  /** How long a request waits for another request's build before it answers that the torrent is being built. */
  readonly waitMs: number;
  /** The first pause between checks while waiting; it doubles up to `maxPollMs`. */
  readonly firstPollMs: number;
  readonly maxPollMs: number;
  /** What a request that stopped waiting tells its caller to wait before asking again. */
  readonly retryAfterSeconds: number;
}

/**
 * API Gateway answers 504 after 30 s and the endpoint Lambda stops at 29 s: a waiting request
 * gives up after 20 s, leaving room for its own HEAD and cache reads. The lease is renewed every
 * third of its length, so a holder alive enough to renew never loses it.
 */
export const DEFAULT_LEASE_SETTINGS: LeaseSettings = {
  leaseMs: 10_000,
  waitMs: 20_000,
  firstPollMs: 100,
  maxPollMs: 1_000,
  retryAfterSeconds: 5,
};

export interface LeasedBuildsDeps {
  readonly leases: BuildLeases;
  readonly cache: TorrentCache;
  readonly clock?: () => Date;
  readonly settings?: Partial<LeaseSettings>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly newHolder?: () => string;
}

export type LeasedBuildResult =
  /** This request held the lease and built (and published) the torrent. */
  | { readonly kind: 'built'; readonly torrent: CachedTorrent }
  /** Another request built it while this one waited (or just before it took the lease). */
  | { readonly kind: 'cached'; readonly torrent: CachedTorrent }
  /** Another request is still building it after `waitMs`. */
  | { readonly kind: 'building'; readonly retryAfterSeconds: number };

/**
 * One build per object identity and variant: concurrent requests for a torrent that is not cached
 * take a lease (a conditional write); the one that gets it builds and publishes while renewing the
 * lease, the others wait for it to be released and then read the cache. A lease that runs out
 * (its holder crashed or hung) is taken over by the next waiter, which checks the cache first.
 */
export class LeasedBuilds {
  private readonly clock: () => Date;
  private readonly settings: LeaseSettings;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly newHolder: () => string;

  constructor(private readonly deps: LeasedBuildsDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.settings = { ...DEFAULT_LEASE_SETTINGS, ...deps.settings };
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.newHolder = deps.newHolder ?? randomUUID;
  }

  /**
   * `buildAndPublish` runs only while this request holds the lease, and must publish before it
   * returns: the lease is released right after, and waiters then read the cache.
   */
  async buildOrWait(key: TorrentCacheKey, buildAndPublish: () => Promise<CachedTorrent>): Promise<LeasedBuildResult> {
    const holder = this.newHolder();
    const deadline = this.now() + this.settings.waitMs;
    let pause = this.settings.firstPollMs;
    for (;;) {
      if (await this.deps.leases.acquire(key, { holder, expiresAt: this.leaseEnd() }, this.clock())) {
        return this.buildHolding(key, holder, buildAndPublish);
      }
      // Another request holds the lease: wait until it is released or runs out.
      for (;;) {
        const left = deadline - this.now();
        if (left <= 0) return { kind: 'building', retryAfterSeconds: this.settings.retryAfterSeconds };
        await this.sleep(Math.min(pause, left));
        pause = Math.min(pause * 2, this.settings.maxPollMs);
        const lease = await this.deps.leases.current(key);
        if (lease === undefined || lease.expiresAt.getTime() <= this.now()) break;
      }
      // Released after a publish (the usual case), or after a failure or crash: then try to take over.
      const torrent = await this.deps.cache.get(key, { consistent: true });
      if (torrent !== undefined) return { kind: 'cached', torrent };
    }
  }

  private async buildHolding(
    key: TorrentCacheKey,
    holder: string,
    buildAndPublish: () => Promise<CachedTorrent>,
  ): Promise<LeasedBuildResult> {
    const renewal = setInterval(() => {
      this.deps.leases.renew(key, { holder, expiresAt: this.leaseEnd() }).then(
        (held) => held || clearInterval(renewal),
        () => undefined, // a failed renewal is tried again at the next tick
      );
    }, this.settings.leaseMs / 3);
    try {
      // The previous holder may have published and released between our miss and our acquire.
      const cached = await this.deps.cache.get(key, { consistent: true });
      if (cached !== undefined) return { kind: 'cached', torrent: cached };
      return { kind: 'built', torrent: await buildAndPublish() };
    } finally {
      clearInterval(renewal);
      // If this fails the lease simply runs out; waiters then find the published torrent.
      await this.deps.leases.release(key, holder).catch(() => undefined);
    }
  }

  private now(): number {
    return this.clock().getTime();
  }

  private leaseEnd(): Date {
    return new Date(this.now() + this.settings.leaseMs);
  }
}
