import { peerLifetime, validatePolicy, type AnnouncePolicy } from '../core/tracker/announce-policy';
import { MAX_NUMWANT, type AnnounceRequest } from '../core/tracker/requests';
import type { AnnounceAnswer, ScrapeEntry } from '../core/tracker/responses';
import {
  estimateCounts,
  isLive,
  peerPlacement,
  randomPlacement,
  selectPeers,
  withoutPeer,
  type SwarmSample,
} from '../core/tracker/swarm-sample';
import { TrackerError } from '../core/tracker/tracker-error';
import type { StoredPeer, SwarmStore, TrackedTorrent } from '../ports/swarm-store';
import { ticketMatches, type Ticket } from '../core/gate/ticket';
import type { GateAnnounce } from '../gate/web-seed-gate';

/**
 * Peers read per announce or scraped torrent. It bounds the cost of an announce whatever the swarm's
 * size, is the most peers a client can be given, and sets the counts' precision (about 7% for a
 * swarm larger than the sample; exact below it).
 */
export const SAMPLE_LIMIT = MAX_NUMWANT;

/**
 * Expired peers an announce deletes from what it read. At 56 announces/s (100,000 peers) that is
 * room for hundreds of silent departures a second, far more than swarms shed.
 */
export const MAX_SWEEP = 8;

export const UNREGISTERED_TORRENT = 'unregistered torrent: this tracker serves only torrents built by this service';

/** Checks the token in a private torrent's announce URL (LinkSigner does). */
export interface AnnounceTokens {
  verifyAnnounceToken(infoHashHex: string, token: string): boolean;
}

export interface TrackerServiceDeps {
  readonly store: SwarmStore;
  /** Without it, no token is accepted and private torrents are never served. */
  readonly tokens?: AnnounceTokens;
  readonly policy: AnnouncePolicy;
  readonly clock?: () => Date;
  readonly random?: () => number;
  /** How long a whitelist hit is trusted without asking the store again (default 60 s). */
  readonly registrationCacheSeconds?: number;
  /** The swarm-aware web seed, told of every announce of a public torrent (docs/web-seed.md). */
  readonly gate?: { afterAnnounce(infoHashHex: string, announce: GateAnnounce): Promise<unknown> };
  /** Where a failed gate update is reported; it never fails the announce. */
  readonly onGateError?: (err: unknown) => void;
}

/**
 * A download completed here when a peer we know of (a live entry of this client) announces with
 * nothing left and either says so (`completed`; Transmission may announce `started` with left=0
 * first when it finished before its first announce) or was a leecher (aria2 with --seed-time=0 goes
 * straight to `stopped` with left=0). A peer id we have no live entry for proves nothing: a
 * `completed` from it does not count. The store counts each peer id once (docs/tracker.md).
 */
function completedDownload(request: AnnounceRequest, previous: StoredPeer | undefined, nowSeconds: number): boolean {
  if (request.left !== 0 || previous === undefined || !isLive(previous, nowSeconds)) return false;
  return request.event === 'completed' || !previous.seeder;
}

/** Registered infohashes remembered per container; a hot torrent is then one read a minute, not one per announce. */
const MAX_REMEMBERED_TORRENTS = 10_000;

/** Announce and scrape over a swarm store: the whitelist, peer lifecycle, selection and counts. */
export class TrackerService {
  private readonly clock: () => Date;
  private readonly random: () => number;
  private readonly policy: AnnouncePolicy;
  private readonly registered = new Map<string, { until: number; private: boolean; tokenHash?: string }>();

  constructor(private readonly deps: TrackerServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.random = deps.random ?? Math.random;
    this.policy = validatePolicy(deps.policy);
  }

  /**
   * `token` is set on a private torrent's announce route. Private torrents are served only with
   * their token; on the public routes they look unregistered, so their infohash leaks nothing.
   */
  async announce(request: AnnounceRequest, token?: string): Promise<AnnounceAnswer> {
    const infoHash = Buffer.from(request.infoHash).toString('hex');
    const ticket = request.ticket;
    await this.requireRegistered(infoHash, token);
    const now = this.nowSeconds();
    const seeder = request.left === 0;
    const stopping = request.event === 'stopped';
    const peer: StoredPeer = {
      peerId: request.peerId,
      placement: peerPlacement(request.peerId),
      ...request.addresses,
      port: request.port,
      seeder,
      key: request.key,
      expiresAt: now + peerLifetime(this.policy),
      // The id alone: the entry's partition already names the torrent. A hybrid torrent's v2
      // announces carry its v1 ticket, which is not theirs.
      ticket: ticket !== undefined && ticketMatches(ticket, infoHash) ? ticket.id : undefined,
      left: request.left,
      announcedAt: now,
    };
    // The write and the read are independent: the requester is taken out of the sample and
    // counted with its new state, so the read need not see the write.
    const [write, sample] = await Promise.all([
      stopping
        ? this.deps.store.removePeer(infoHash, peer, now)
        : this.deps.store.putPeer(infoHash, peer, now, { starting: request.event === 'started' }),
      this.deps.store.samplePeers(infoHash, randomPlacement(this.random), SAMPLE_LIMIT),
    ]);
    if (write.outcome === 'owned-by-another-client') throw new TrackerError('peer_id is in use by another client');
    // A straggler from before this client's `stopped` is answered, but the peer stays gone.
    const gone = stopping || write.outcome === 'stopped';
    const others = withoutPeer(sample, request.peerId);
    await Promise.all([
      write.outcome === 'written' && completedDownload(request, write.previous, now)
        ? this.deps.store.recordDownload(infoHash, request.peerId, now)
        : undefined,
      this.sweep(infoHash, others, now),
      token === undefined
        ? this.updateGate(infoHash, ticket, peer, write.outcome === 'written' ? write.previous : undefined, gone, others)
        : undefined,
    ]);
    const counts = estimateCounts(others, now);
    return {
      interval: this.policy.interval,
      minInterval: this.policy.minInterval,
      complete: counts.complete + (!gone && seeder ? 1 : 0),
      incomplete: counts.incomplete + (!gone && !seeder ? 1 : 0),
      peers: stopping ? [] : selectPeers(others, peer, request.numwant, now),
    };
  }

  /** Counts of the registered torrents among `infoHashes`; refused when none is registered. */
  async scrape(infoHashes: readonly Uint8Array[], token?: string): Promise<ScrapeEntry[]> {
    const hexes = infoHashes.map((h) => Buffer.from(h).toString('hex'));
    const tracked = await this.deps.store.trackedTorrents(hexes);
    for (const [hex, torrent] of tracked) if (!this.mayServe(torrent, token)) tracked.delete(hex);
    if (tracked.size === 0) throw new TrackerError(UNREGISTERED_TORRENT);
    const now = this.nowSeconds();
    const entries = infoHashes.map(async (infoHash, i): Promise<ScrapeEntry | undefined> => {
      const torrent = tracked.get(hexes[i] as string);
      if (torrent === undefined) return undefined;
      const sample = await this.deps.store.samplePeers(torrent.infoHash, randomPlacement(this.random), SAMPLE_LIMIT);
      return { infoHash, ...estimateCounts(sample, now), downloaded: torrent.downloaded };
    });
    return (await Promise.all(entries)).filter((e): e is ScrapeEntry => e !== undefined);
  }

  /**
   * Best effort too: a failed gate update leaves the gate as it was until a later announce (or its
   * expiry) changes it, and never fails the announce. Private torrents' web seeds are not gated.
   */
  private async updateGate(
    infoHash: string,
    ticket: Ticket | undefined,
    peer: StoredPeer,
    previous: StoredPeer | undefined,
    stopped: boolean,
    others: SwarmSample,
  ): Promise<void> {
    if (this.deps.gate === undefined) return;
    const now = this.nowSeconds();
    try {
      await this.deps.gate.afterAnnounce(infoHash, {
        ticket,
        peer,
        previous: previous !== undefined && isLive(previous, now) ? previous : undefined,
        stopped,
        others: others.members,
        wholeSwarm: others.wholeSwarm,
      });
    } catch (err) {
      this.deps.onGateError?.(err);
    }
  }

  /** Best effort: a failed sweep costs nothing but a later retry, so it never fails the announce. */
  private async sweep(infoHash: string, sample: SwarmSample, now: number): Promise<void> {
    const expired = sample.members.filter((m) => !isLive(m, now)).slice(0, MAX_SWEEP);
    if (expired.length > 0) await this.deps.store.removeExpiredPeers(infoHash, expired, now).catch(() => undefined);
  }

  private async requireRegistered(infoHash: string, token: string | undefined): Promise<void> {
    const nowMs = this.clock().getTime();
    const remembered = this.registered.get(infoHash);
    if (remembered !== undefined && remembered.until > nowMs) {
      if (!this.mayServe({ infoHash, ...remembered }, token)) throw new TrackerError(UNREGISTERED_TORRENT);
      return;
    }
    const torrent = (await this.deps.store.trackedTorrents([infoHash])).get(infoHash);
    this.registered.delete(infoHash);
    if (torrent === undefined) throw new TrackerError(UNREGISTERED_TORRENT);
    if (this.registered.size >= MAX_REMEMBERED_TORRENTS) this.registered.delete(this.registered.keys().next().value as string);
    this.registered.set(infoHash, {
      until: nowMs + (this.deps.registrationCacheSeconds ?? 60) * 1000,
      private: torrent.private,
      tokenHash: torrent.tokenHash,
    });
    if (!this.mayServe(torrent, token)) throw new TrackerError(UNREGISTERED_TORRENT);
  }

  /** Public routes serve public torrents; a token route serves the torrent its token was made for. */
  private mayServe(torrent: Pick<TrackedTorrent, 'infoHash' | 'private' | 'tokenHash'>, token: string | undefined): boolean {
    if (token === undefined) return !torrent.private;
    return this.deps.tokens?.verifyAnnounceToken(torrent.tokenHash ?? torrent.infoHash, token) ?? false;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }
}
