import { createHash } from 'node:crypto';
import type { PeerContact } from './responses';

/**
 * Peers are spread over a 32-bit ring by a hash of their peer id (their "placement"). Reading a
 * bounded run of the ring from a random point is then a uniform random sample of the swarm, and
 * how much of the ring the run covered tells how big the swarm is, without reading all of it.
 */
export const RING_SIZE = 2 ** 32;

/** Where a peer sits on the ring: the first 32 bits of SHA-1 over its peer id. */
export function peerPlacement(peerId: Uint8Array): number {
  return createHash('sha1').update(peerId).digest().readUInt32BE(0);
}

export function randomPlacement(random: () => number = Math.random): number {
  return Math.floor(random() * RING_SIZE) % RING_SIZE;
}

/** A stored peer, as a sample returns it. */
export interface SwarmMember extends PeerContact {
  readonly placement: number;
  readonly seeder: boolean;
  /** Epoch seconds after which the peer is gone, whether or not storage has deleted it yet. */
  readonly expiresAt: number;
}

/** A run of the ring read from `start`, in ring order, expired members included. */
export interface SwarmSample {
  readonly start: number;
  readonly members: readonly SwarmMember[];
  /** True when the run went all the way round: then the sample is the whole swarm. */
  readonly wholeSwarm: boolean;
}

export interface SwarmCounts {
  readonly complete: number;
  readonly incomplete: number;
}

export const isLive = (member: SwarmMember, nowSeconds: number) => member.expiresAt > nowSeconds;

/**
 * Seeders and leechers among the live peers: counted exactly when the sample is the whole swarm,
 * else estimated from the sample's density. If n peers (live or expired) sit in the arc of length
 * a read from a random point, (n - 1) / a is an unbiased estimate of peers per unit of ring (the
 * n-th arrival of a uniform process), so the swarm holds about (n - 1) * RING_SIZE / a, split
 * between seeders and leechers as the live part of the sample is. Relative error is about 1/sqrt(n).
 */
export function estimateCounts(sample: SwarmSample, nowSeconds: number): SwarmCounts {
  const members = sample.members;
  const live = members.filter((m) => isLive(m, nowSeconds));
  const seeders = live.filter((m) => m.seeder).length;
  const exact = { complete: seeders, incomplete: live.length - seeders };
  const last = members[members.length - 1];
  if (sample.wholeSwarm || members.length < 2 || last === undefined) return exact;
  const arc = ((last.placement - sample.start + RING_SIZE) % RING_SIZE) + 1;
  const scale = ((members.length - 1) * RING_SIZE) / arc / members.length;
  // Never report fewer than were seen.
  return {
    complete: Math.max(seeders, Math.round(seeders * scale)),
    incomplete: Math.max(exact.incomplete, Math.round(exact.incomplete * scale)),
  };
}

export interface Requester {
  readonly peerId: Uint8Array;
  readonly port: number;
  readonly ipv4?: string;
  readonly ipv6?: string;
  readonly seeder: boolean;
}

/** The same client, by peer id or by address and port (a restarted client may pick a new id). */
export function isSamePeer(member: PeerContact, requester: Requester): boolean {
  if (Buffer.compare(member.peerId, requester.peerId) === 0) return true;
  if (member.port !== requester.port) return false;
  return (member.ipv4 !== undefined && member.ipv4 === requester.ipv4) || (member.ipv6 !== undefined && member.ipv6 === requester.ipv6);
}

/**
 * Up to `numwant` live peers from the sample, never the requester itself. A seeder is given only
 * leechers: another seeder has nothing for it, and seeders are most of a mature swarm.
 */
export function selectPeers(sample: SwarmSample, requester: Requester, numwant: number, nowSeconds: number): SwarmMember[] {
  const chosen: SwarmMember[] = [];
  for (const member of sample.members) {
    if (chosen.length >= numwant) break;
    if (!isLive(member, nowSeconds) || isSamePeer(member, requester)) continue;
    if (requester.seeder && member.seeder) continue;
    chosen.push(member);
  }
  return chosen;
}

/** The sample without the requester, so it can be counted with its new state instead of its old. */
export function withoutPeer(sample: SwarmSample, peerId: Uint8Array): SwarmSample {
  return { ...sample, members: sample.members.filter((m) => Buffer.compare(m.peerId, peerId) !== 0) };
}
