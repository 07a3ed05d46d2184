import type { AnnounceRequest } from '../../lambdas/core/tracker/requests';
import { peerLifetime } from '../../lambdas/core/tracker/announce-policy';
import { TrackerService } from '../../lambdas/tracker/tracker-service';
import { MemorySwarmStore } from '../support/fakes';

/**
 * The `downloaded` count of a scrape: one download per peer id per torrent, counted only for a peer
 * the tracker saw before it finished (docs/tracker.md). The same rules run on DynamoDB Local in
 * test/integration/tracker-swarm.test.ts and, for the store alone, in test/contract/swarm-store.test.ts.
 */
const policy = { interval: 60, minInterval: 10 };
const infoHash = Buffer.alloc(20, 0x42);

function setUp() {
  const store = new MemorySwarmStore();
  let now = new Date('2030-01-01T00:00:00Z');
  const tracker = new TrackerService({ store, policy, clock: () => now, registrationCacheSeconds: 0 });
  const announce = (name: string, fields: Partial<AnnounceRequest> = {}) =>
    tracker.announce({
      infoHash,
      peerId: Buffer.from(name.padEnd(20, '.')),
      port: 6881,
      uploaded: 0,
      downloaded: 0,
      left: 100,
      event: 'update',
      numwant: 50,
      compact: true,
      noPeerId: false,
      key: name,
      addresses: { ipv4: '10.0.0.1' },
      ...fields,
    });
  const scrape = async () => (await tracker.scrape([infoHash]))[0];
  const downloaded = async () => (await scrape())?.downloaded;
  return {
    announce,
    scrape,
    downloaded,
    later: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)),
    ready: store.register({
      infoHashes: [infoHash.toString('hex')],
      bucket: 'b',
      key: 'k',
      name: 'k',
      size: 1,
      private: false,
    }),
  };
}

describe('a stop racing an earlier announce', () => {
  it('keeps the peer gone when the announce it sent just before `stopped` is written after it', async () => {
    const { announce, ready, scrape } = setUp();
    await ready;
    await announce('seeder', { event: 'started', left: 0 });
    await announce('seeder', { event: 'stopped', left: 0 });
    // libtorrent's regular announce, sent before it paused, handled last.
    const straggler = await announce('seeder', { left: 0 });
    expect(straggler).toMatchObject({ complete: 0, incomplete: 0 });
    expect(await scrape()).toMatchObject({ complete: 0, incomplete: 0 });
    await announce('seeder', { event: 'started', left: 0 });
    expect(await scrape()).toMatchObject({ complete: 1 });
  });
});

describe('downloads counted by the tracker', () => {
  it('counts a peer that completes, stops, starts and completes again once', async () => {
    const { announce, downloaded, later, ready } = setUp();
    await ready;
    await announce('again', { event: 'started' });
    await announce('again', { event: 'completed', left: 0 });
    await announce('again', { event: 'stopped', left: 0 });
    await announce('again', { event: 'started' });
    await announce('again', { event: 'completed', left: 0 });
    later(peerLifetime(policy) + 1);
    await announce('again', { event: 'started' });
    await announce('again', { event: 'completed', left: 0 });
    expect(await downloaded()).toBe(1);
  });

  it('does not count `completed` with nothing left from a peer id it has never seen', async () => {
    const { announce, downloaded, ready } = setUp();
    await ready;
    for (let i = 0; i < 5; i++) await announce(`fresh${i}`, { event: 'completed', left: 0 });
    expect(await downloaded()).toBe(0);
  });

  it('counts the clients that really finish here: a leecher completing, aria2 stopping with nothing left, Transmission finishing before its first announce', async () => {
    const { announce, downloaded, ready } = setUp();
    await ready;
    await announce('libtorrent', { event: 'started' });
    await announce('libtorrent', { left: 40 });
    await announce('libtorrent', { event: 'completed', left: 0 });
    await announce('aria2', { event: 'started' });
    await announce('aria2', { event: 'stopped', left: 0 });
    await announce('transmission', { event: 'started', left: 0 });
    await announce('transmission', { event: 'completed', left: 0 });
    // A seeder that never leeched, and a repeat of each, count nothing more.
    await announce('seed', { event: 'started', left: 0 });
    await announce('seed', { left: 0 });
    await announce('libtorrent', { event: 'completed', left: 0 });
    await announce('transmission', { event: 'completed', left: 0 });
    expect(await downloaded()).toBe(3);
  });
});
