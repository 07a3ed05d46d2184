import { encodeInfoV1, infoHashV1 } from '../../lambdas/core/info-dict';
import type { CachedTorrent, TorrentCacheKey } from '../../lambdas/ports/torrent-cache';
import { LeasedBuilds, type LeaseSettings } from '../../lambdas/torrents/leased-builds';
import { MemoryBuildLeases, MemoryCache } from '../support/fakes';

// Real timers with short settings: the waits, renewals and takeovers run as they would, within a
// second or so. Leases stay long against the builds so a stall of a loaded machine's event loop
// cannot expire one (that flaked at 200 ms).
const FAST: LeaseSettings = { leaseMs: 1_000, waitMs: 5_000, firstPollMs: 2, maxPollMs: 20, retryAfterSeconds: 3 };
const key: TorrentCacheKey = { bucket: 'b', key: 'dir/f.bin', identity: 'etag:"1"', variant: 'v1' };
const info = encodeInfoV1({ name: 'f.bin', length: 1, pieceLength: 16384, pieces: new Uint8Array(20) });
const torrent: CachedTorrent = {
  infoHash: Buffer.from(infoHashV1(info)).toString('hex'),
  info,
  size: 1,
  pieceLength: 16384,
  createdAt: new Date(0),
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function setUp(settings: Partial<LeaseSettings> = {}) {
  const cache = new MemoryCache();
  const leases = new MemoryBuildLeases();
  const builds = new LeasedBuilds({ leases, cache, settings: { ...FAST, ...settings } });
  let built = 0;
  /** Builds for `ms`, then publishes into the cache, as the service's build-and-publish does. */
  const buildTaking =
    (ms: number, fail = () => false) =>
    async () => {
      built++;
      await sleep(ms);
      if (fail()) throw new Error('the build failed');
      cache.write(key, torrent);
      return torrent;
    };
  return { cache, leases, builds, buildTaking, built: () => built };
}

describe('LeasedBuilds', () => {
  it('builds once for 50 concurrent callers; the other 49 get the published torrent', async () => {
    const { builds, buildTaking, built, leases } = setUp();
    const results = await Promise.all(Array.from({ length: 50 }, () => builds.buildOrWait(key, buildTaking(50))));
    expect(built()).toBe(1);
    expect(results.filter((r) => r.kind === 'built')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'cached')).toHaveLength(49);
    expect(results.every((r) => r.kind !== 'building' && r.torrent.infoHash === torrent.infoHash)).toBe(true);
    expect(await leases.current(key)).toBeUndefined();
  });

  it('keeps the lease of a build that outlasts it by renewing it: no waiter takes over', async () => {
    const { builds, buildTaking, built } = setUp({ leaseMs: 900 });
    const results = await Promise.all(Array.from({ length: 5 }, () => builds.buildOrWait(key, buildTaking(3_000))));
    expect(built()).toBe(1);
    expect(results.map((r) => r.kind).sort()).toEqual(['built', 'cached', 'cached', 'cached', 'cached']);
  });

  it('takes over the lease of a builder that crashed once it runs out, and builds', async () => {
    const { builds, buildTaking, built, leases } = setUp();
    await leases.acquire(key, { holder: 'crashed', expiresAt: new Date(Date.now() + FAST.leaseMs) }, new Date());
    const started = Date.now();
    const result = await builds.buildOrWait(key, buildTaking(1));
    expect(result.kind).toBe('built');
    expect(built()).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(FAST.leaseMs - 5);
  });

  it('does not build when the previous holder published just before this caller took the lease', async () => {
    const { builds, buildTaking, built, cache, leases } = setUp();
    cache.write(key, torrent);
    expect(await builds.buildOrWait(key, buildTaking(1))).toEqual({ kind: 'cached', torrent });
    expect(built()).toBe(0);
    expect(await leases.current(key)).toBeUndefined();
  });

  it('releases the lease when the build fails: that caller gets the error, a waiter builds instead', async () => {
    const { builds, buildTaking, built } = setUp();
    let failures = 1;
    const results = await Promise.allSettled(
      Array.from({ length: 3 }, () =>
        builds.buildOrWait(
          key,
          buildTaking(30, () => failures-- > 0),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    const kinds = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.kind] : [])).sort();
    expect(kinds).toEqual(['built', 'cached']);
    expect(built()).toBe(2);
  });

  it('answers "building" with a retry hint when the build outlasts the wait, and never builds twice', async () => {
    const { builds, buildTaking, built } = setUp({ waitMs: 50 });
    const holder = builds.buildOrWait(key, buildTaking(1_500));
    await sleep(5);
    expect(await builds.buildOrWait(key, buildTaking(1_500))).toEqual({ kind: 'building', retryAfterSeconds: 3 });
    expect((await holder).kind).toBe('built');
    expect(await builds.buildOrWait(key, buildTaking(300))).toEqual({ kind: 'cached', torrent });
    expect(built()).toBe(1);
  });
});
