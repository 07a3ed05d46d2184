import fc from 'fast-check';
import {
  estimateCounts,
  peerPlacement,
  RING_SIZE,
  selectPeers,
  type Requester,
  type SwarmMember,
  type SwarmSample,
} from '../../../lambdas/core/tracker/swarm-sample';

const NOW = 1_700_000_000;

/** A deterministic generator (xorshift32), so statistical checks never flake. */
function prng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / RING_SIZE;
  };
}

function member(i: number, placement: number, extra: Partial<SwarmMember> = {}): SwarmMember {
  const peerId = Buffer.alloc(20);
  peerId.writeUInt32BE(i);
  return {
    peerId,
    placement,
    ipv4: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    port: 6881,
    seeder: false,
    expiresAt: NOW + 100,
    ...extra,
  };
}

/** A swarm of `size` members in ring order, `seederShare` of them seeders. */
function swarm(size: number, seederShare: number, random: () => number): SwarmMember[] {
  return Array.from({ length: size }, (_, i) => member(i, Math.floor(random() * RING_SIZE), { seeder: random() < seederShare })).sort(
    (a, b) => a.placement - b.placement,
  );
}

/** What the store's bounded read returns: up to `limit` members from `start`, wrapping round once. */
function sampleOf(members: SwarmMember[], start: number, limit: number): SwarmSample {
  const from = members.findIndex((m) => m.placement >= start);
  const ordered = from < 0 ? members : [...members.slice(from), ...members.slice(0, from)];
  return { start, members: ordered.slice(0, limit), wholeSwarm: ordered.length < limit };
}

describe('estimateCounts', () => {
  it('counts a whole swarm exactly, leaving out expired peers', () => {
    const members = [
      member(1, 10, { seeder: true }),
      member(2, 20),
      member(3, 30),
      member(4, 40, { expiresAt: NOW }),
      member(5, 50, { seeder: true, expiresAt: NOW - 1 }),
    ];
    expect(estimateCounts({ start: 0, members, wholeSwarm: true }, NOW)).toEqual({ complete: 1, incomplete: 2 });
  });

  it('estimates a 100,000-peer swarm from 200 peers within a few percent on average, rarely off by more than 20%', () => {
    const random = prng(42);
    const members = swarm(100_000, 0.3, random);
    const trueSeeders = members.filter((m) => m.seeder).length;
    const totals: number[] = [];
    const seeders: number[] = [];
    for (let trial = 0; trial < 300; trial++) {
      const counts = estimateCounts(sampleOf(members, Math.floor(random() * RING_SIZE), 200), NOW);
      totals.push(counts.complete + counts.incomplete);
      seeders.push(counts.complete);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean(totals) / 100_000 - 1)).toBeLessThan(0.03);
    expect(Math.abs(mean(seeders) / trueSeeders - 1)).toBeLessThan(0.05);
    // One sample's relative error is about 1/sqrt(199) = 7%; 20% is almost three standard deviations.
    expect(totals.filter((t) => Math.abs(t / 100_000 - 1) > 0.2).length).toBeLessThan(totals.length * 0.02);
  });

  it('counts expired peers towards the arc read but not towards the swarm', () => {
    const random = prng(7);
    const members = swarm(10_000, 0.5, random).map((m, i) => (i % 2 === 0 ? { ...m, expiresAt: NOW - 5 } : m));
    const totals = Array.from({ length: 200 }, () => {
      const c = estimateCounts(sampleOf(members, Math.floor(random() * RING_SIZE), 200), NOW);
      return c.complete + c.incomplete;
    });
    expect(Math.abs(totals.reduce((a, b) => a + b, 0) / totals.length / 5_000 - 1)).toBeLessThan(0.03);
  });

  it('never reports fewer peers than the sample saw live', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: RING_SIZE - 1 }), fc.boolean(), fc.boolean()), { maxLength: 50 }),
        fc.nat({ max: RING_SIZE - 1 }),
        fc.boolean(),
        (raw, start, whole) => {
          const members = raw.map(([p, seeder, live], i) => member(i, p, { seeder, expiresAt: live ? NOW + 1 : NOW - 1 }));
          const counts = estimateCounts({ start, members, wholeSwarm: whole }, NOW);
          const live = members.filter((m) => m.expiresAt > NOW);
          expect(counts.complete).toBeGreaterThanOrEqual(live.filter((m) => m.seeder).length);
          expect(counts.incomplete).toBeGreaterThanOrEqual(live.filter((m) => !m.seeder).length);
        },
      ),
    );
  });
});

describe('selectPeers', () => {
  const requester = (extra: Partial<Requester> = {}): Requester => ({
    peerId: Buffer.alloc(20, 0xaa),
    port: 7000,
    ipv4: '192.0.2.1',
    seeder: false,
    ...extra,
  });

  it('never hands a peer itself, by peer id or by address and port', () => {
    const self = requester();
    const members = [
      member(1, 1, { peerId: self.peerId }),
      member(2, 2, { ipv4: '192.0.2.1', port: 7000 }),
      member(3, 3, { ipv4: '192.0.2.1', port: 7001 }),
    ];
    expect(selectPeers({ start: 0, members, wholeSwarm: true }, self, 50, NOW).map((m) => m.port)).toEqual([7001]);
  });

  it('gives a seeder only leechers, and a leecher everyone', () => {
    const members = [member(1, 1, { seeder: true }), member(2, 2), member(3, 3, { seeder: true }), member(4, 4)];
    const sample = { start: 0, members, wholeSwarm: true };
    expect(selectPeers(sample, requester({ seeder: true }), 50, NOW).map((m) => m.seeder)).toEqual([false, false]);
    expect(selectPeers(sample, requester(), 50, NOW)).toHaveLength(4);
  });

  it('returns at most numwant live peers, never the requester', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()), { maxLength: 60 }),
        fc.nat({ max: 200 }),
        fc.boolean(),
        (raw, numwant, seeder) => {
          const self = requester({ seeder });
          const members = raw.map(([isSelf, live, s], i) =>
            member(i, i, { peerId: isSelf ? self.peerId : member(i, i).peerId, seeder: s, expiresAt: live ? NOW + 1 : NOW }),
          );
          const chosen = selectPeers({ start: 0, members, wholeSwarm: true }, self, numwant, NOW);
          expect(chosen.length).toBeLessThanOrEqual(numwant);
          for (const m of chosen) {
            expect(Buffer.compare(m.peerId, self.peerId)).not.toBe(0);
            expect(m.expiresAt).toBeGreaterThan(NOW);
            if (seeder) expect(m.seeder).toBe(false);
          }
        },
      ),
    );
  });
});

describe('peerPlacement', () => {
  it('is stable and spreads peer ids that share a client prefix across the ring', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => Buffer.from(`-LT2080-${String(i).padStart(12, '0')}`));
    expect(peerPlacement(ids[0]!)).toBe(peerPlacement(Buffer.from(ids[0]!)));
    const quarters = [0, 0, 0, 0];
    for (const id of ids) quarters[Math.floor(peerPlacement(id) / (RING_SIZE / 4))]! += 1;
    for (const q of quarters) expect(q).toBeGreaterThan(200);
  });
});
