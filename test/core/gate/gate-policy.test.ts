import fc from 'fast-check';
import {
  DEFAULT_GATE_POLICY,
  decideGate,
  gateServes,
  issueTicket,
  sameGate,
  type GatePeer,
  type GatePolicy,
  type GateState,
  type SwarmView,
} from '../../../lambdas/core/gate/gate-policy';
import { decodeGateValue, encodeGateValue } from '../../../lambdas/core/gate/gate-value';

const NOW = 1_800_000_000;
const policy: GatePolicy = DEFAULT_GATE_POLICY;
const ids = ['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd', 'eeeeeeee', 'ffffffff', 'gggggggg', 'hhhhhhhh'];
const leecher = (ticket: string, parkable = true): GatePeer => ({ ticket, seeder: false, parkable });
const seeder = (ticket?: string): GatePeer => ({ ticket, seeder: true, parkable: true });
const view = (peers: GatePeer[], extra: Partial<SwarmView> = {}): SwarmView => ({ now: NOW, peers, wholeSwarm: true, ...extra });
const openIds = (state: GateState | undefined) => (state?.open ?? []).map((t) => t.id).sort();

const peerArb = fc.record({
  ticket: fc.option(fc.constantFrom(...ids), { nil: undefined }),
  seeder: fc.boolean(),
  parkable: fc.boolean(),
});
const stateArb = fc.option(
  fc.record({
    open: fc.uniqueArray(
      fc.record({
        id: fc.constantFrom(...ids),
        since: fc.integer({ min: NOW - 3000, max: NOW }),
        seenAt: fc.option(fc.integer({ min: NOW - 3000, max: NOW }), { nil: undefined }),
      }),
      { selector: (t) => t.id, maxLength: 4 },
    ),
    seeders: fc.nat(5),
    until: fc.integer({ min: NOW - 100, max: NOW + 3000 }),
  }),
  { nil: undefined },
);
const policyArb = fc.record({
  feeds: fc.integer({ min: 1, max: 4 }),
  seedersToGate: fc.integer({ min: 1, max: 4 }),
  issueHoldSeconds: fc.constant(120),
  holdSeconds: fc.constant(1980),
});
const viewArb = fc.record({
  now: fc.constant(NOW),
  // One peer per ticket, as the tracker has one entry per client.
  peers: fc.uniqueArray(peerArb, { selector: (p) => p.ticket ?? Symbol(), maxLength: 8 }),
  wholeSwarm: fc.boolean(),
});

describe('the web-seed gate policy', () => {
  it('opens the first downloader at issuance and parks the next while the first feeds the swarm', () => {
    const first = issueTicket(undefined, 'aaaaaaaa', NOW, policy);
    expect(gateServes(first, 'aaaaaaaa', NOW)).toBe(true);
    const second = issueTicket(first, 'bbbbbbbb', NOW + 1, policy);
    expect(gateServes(second, 'bbbbbbbb', NOW + 1)).toBe(false);
    // Their announces: the first is a leecher, so it stays the one feed.
    const after = decideGate(second, view([leecher('aaaaaaaa'), leecher('bbbbbbbb')]), policy);
    expect(openIds(after)).toEqual(['aaaaaaaa']);
  });

  it('closes a ticket once its downloader is a seeder, and gates newcomers while seeders suffice', () => {
    const gate = decideGate(
      { open: [{ id: 'aaaaaaaa', since: NOW }], seeders: 0, until: NOW + 100 },
      view([seeder('aaaaaaaa'), leecher('bbbbbbbb')]),
      policy,
    );
    expect(openIds(gate)).toEqual([]);
    expect(gate?.seeders).toBe(1);
    expect(issueTicket(gate, 'cccccccc', NOW, policy)).toBe(gate);
  });

  it('gives S3 back when the seeders leave: the next announce opens a parked downloader', () => {
    const gated: GateState = { open: [], seeders: 2, until: NOW + 1000 };
    // The last seeder's `stopped`: the sample holds only the parked leecher.
    const after = decideGate(gated, view([leecher('bbbbbbbb')], { stoppedTicket: 'aaaaaaaa' }), policy);
    expect(openIds(after)).toEqual(['bbbbbbbb']);
  });

  it('opens a parked downloader that made no progress, whatever the counts', () => {
    const gated: GateState = { open: [], seeders: 3, until: NOW + 1000 };
    const after = decideGate(gated, view([seeder(), seeder(), seeder(), leecher('bbbbbbbb')], { stalledTicket: 'bbbbbbbb' }), policy);
    expect(openIds(after)).toEqual(['bbbbbbbb']);
  });

  it('counts clients that cannot be parked (aria2, Transmission) as feeds', () => {
    const after = decideGate(undefined, view([leecher('aaaaaaaa', false), leecher('bbbbbbbb')]), policy);
    expect(openIds(after)).toEqual([]);
  });

  it('keeps an issued ticket open for the issue hold, then drops it if its downloader never announced', () => {
    const issued = issueTicket(undefined, 'aaaaaaaa', NOW, policy);
    expect(openIds(decideGate(issued, view([leecher('bbbbbbbb')], { now: NOW + 60 }), policy))).toEqual(['aaaaaaaa']);
    expect(openIds(decideGate(issued, view([leecher('bbbbbbbb')], { now: NOW + 119 }), policy))).toEqual(['aaaaaaaa']);
    // Expired: the parked downloader is the feed now.
    const later = { ...issued, until: NOW + 2000 };
    expect(openIds(decideGate(later, view([leecher('bbbbbbbb')], { now: NOW + 121 }), policy))).toEqual(['bbbbbbbb']);
  });

  it('lifts the gate when nobody is left', () => {
    expect(decideGate({ open: [], seeders: 1, until: NOW + 10 }, view([], { stoppedTicket: 'aaaaaaaa' }), policy)).toBeUndefined();
  });

  it('never leaves a parkable downloader without a source: no seeder and no feed means a ticket opens', () => {
    fc.assert(
      fc.property(stateArb, viewArb, policyArb, (previous, swarm, settings) => {
        const next = decideGate(previous, swarm, settings);
        const seeders = swarm.peers.filter((p) => p.seeder).length;
        const waiting = swarm.peers.filter((p) => !p.seeder && p.parkable && p.ticket !== undefined);
        const unparkableFeeds = swarm.peers.filter((p) => !p.seeder && !p.parkable).length;
        if (seeders === 0 && waiting.length > 0 && unparkableFeeds === 0) expect(next?.open.length ?? 0).toBeGreaterThan(0);
      }),
    );
  });

  it('opens only tickets it knows, never a seeder, and at most `feeds` new ones', () => {
    fc.assert(
      fc.property(stateArb, viewArb, policyArb, (previous, swarm, settings) => {
        const next = decideGate(previous, swarm, settings);
        const live = new Map(swarm.peers.filter((p) => p.ticket !== undefined).map((p) => [p.ticket as string, p]));
        const before = new Set(previous !== undefined && previous.until > NOW ? previous.open.map((t) => t.id) : []);
        for (const ticket of next?.open ?? []) {
          expect(before.has(ticket.id) || live.has(ticket.id)).toBe(true);
          expect(live.get(ticket.id)?.seeder ?? false).toBe(false);
        }
        const opened = (next?.open ?? []).filter((t) => !before.has(t.id)).length;
        expect(opened).toBeLessThanOrEqual(settings.feeds);
        expect(new Set(openIds(next)).size).toBe(next?.open.length ?? 0);
      }),
    );
  });

  it('keeps a live downloader’s open ticket open (no flapping) and is stable under repetition', () => {
    fc.assert(
      fc.property(stateArb, viewArb, policyArb, (previous, swarm, settings) => {
        const once = decideGate(previous, swarm, settings);
        const twice = decideGate(once, swarm, settings);
        expect(sameGate(once, twice)).toBe(true);
        // Still a live leecher a minute later: still open, and nothing to write.
        const later = decideGate(once, { ...swarm, now: NOW + 60 }, settings);
        for (const t of once?.open ?? []) {
          const peer = swarm.peers.find((p) => p.ticket === t.id);
          if (peer && !peer.seeder) expect(openIds(later)).toContain(t.id);
        }
        // The same tickets, unless one outside the sample reached the end of its hold meanwhile.
        const allLive = (once?.open ?? []).every((t) => swarm.peers.some((p) => p.ticket === t.id));
        if (once !== undefined && swarm.peers.length > 0 && allLive) expect(openIds(later)).toEqual(openIds(once));
      }),
    );
  });

  it('rewrites a steady swarm’s gate (and republishes it to the edge) only in coarse steps', () => {
    fc.assert(
      fc.property(viewArb, (swarm) => {
        let gate = decideGate(undefined, swarm, policy);
        let writes = 0;
        // An announce a minute for two hours, nothing else changing.
        for (let t = 60; t <= 7200; t += 60) {
          const next = decideGate(gate, { ...swarm, now: NOW + t }, policy);
          if (!sameGate(next, gate)) writes++;
          gate = next;
        }
        // seenAt moves every quarter of the hold, until every half: a few writes an hour, not 60.
        expect(writes).toBeLessThanOrEqual(Math.ceil(7200 / (policy.holdSeconds / 4)) + Math.ceil(7200 / (policy.holdSeconds / 2)));
      }),
    );
  });

  it('encodes the gate for the edge within the value limit, and decodes to the same decisions', () => {
    fc.assert(
      fc.property(stateArb, fc.constantFrom(...ids), (state, id) => {
        if (state === undefined) return;
        const value = encodeGateValue(state);
        expect(value.length).toBeLessThanOrEqual(1024);
        const edge = decodeGateValue(value);
        expect(edge?.until).toBe(state.until);
        expect(edge?.open.includes(id)).toBe(state.open.some((t) => t.id === id));
      }),
    );
  });
});
