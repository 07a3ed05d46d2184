import { randomBytes } from 'node:crypto';
import { decideGate, issueTicket, type GatePeer, type GatePolicy, type GateState } from '../core/gate/gate-policy';
import { isParkablePeerId } from '../core/gate/parkable-clients';
import { gateKeyOf, newTicket, ticketMatches, type Ticket } from '../core/gate/ticket';
import { isLive } from '../core/tracker/swarm-sample';
import type { GateStore } from '../ports/gate-store';
import type { StoredPeer } from '../ports/swarm-store';

/** What the tracker knows after an announce, for the gate. */
export interface GateAnnounce {
  /** The ticket in the announce URL, if any. */
  readonly ticket?: Ticket;
  /** The announcing peer's new entry (what was just written). */
  readonly peer: StoredPeer;
  /** Its entry before this announce, if it had a live one. */
  readonly previous?: StoredPeer;
  readonly stopped: boolean;
  /** The other peers of the sample (expired ones included; they are filtered here). */
  readonly others: readonly StoredPeer[];
  readonly wholeSwarm: boolean;
}

/**
 * A parked leecher whose `left` has not moved over at least this long is stalled: its seeders are
 * unreachable, or gone without a `stopped`. (libtorrent announces every 5 minutes at most, so this
 * is the slow path; `stopped` and `completed` are the fast ones.)
 */
export const STALL_SECONDS = 60;

/**
 * The swarm-aware web seed's bookkeeping: the endpoint issues tickets, the tracker reports
 * announces; both go through the pure policy and the gate store, whose stream reaches the edge.
 */
export class WebSeedGate {
  constructor(
    private readonly store: GateStore,
    readonly policy: GatePolicy,
    private readonly clock: () => Date = () => new Date(),
    private readonly random: (n: number) => Uint8Array = randomBytes,
  ) {}

  /** A new ticket for a `?torrent` answer; opened at once when the torrent needs a feed. */
  async issue(announcedInfoHashHex: string): Promise<Ticket> {
    const ticket = newTicket(announcedInfoHashHex, this.random(5));
    const now = this.nowSeconds();
    await this.store.change(ticket.gateKey, (current) => issueTicket(current, ticket.id, now, this.policy));
    return ticket;
  }

  /** Updates the torrent's gate after an announce. */
  async afterAnnounce(infoHashHex: string, announce: GateAnnounce): Promise<GateState | undefined> {
    const gateKey = gateKeyOf(infoHashHex);
    // A hybrid torrent's v2 announces carry the ticket of its v1 hash: they do not belong to this gate.
    const ticket = announce.ticket !== undefined && ticketMatches(announce.ticket, infoHashHex) ? announce.ticket.id : undefined;
    // Announces without a ticket matter only to torrents already gated; skip the write path otherwise.
    if (ticket === undefined && (await this.store.get(gateKey)) === undefined) return undefined;
    const now = this.nowSeconds();
    const self = { ...announce.peer, ticket: ticket ?? announce.peer.ticket }; // ids, as stored
    const peers: GatePeer[] = announce.others.filter((p) => isLive(p, now)).map(gatePeer);
    if (!announce.stopped) peers.push(gatePeer(self));
    const stalled = !announce.stopped && isStalled(self, announce.previous, now);
    return this.store.change(gateKey, (current) =>
      decideGate(
        current,
        {
          now,
          peers,
          wholeSwarm: announce.wholeSwarm,
          stoppedTicket: announce.stopped ? self.ticket : undefined,
          stalledTicket: stalled ? self.ticket : undefined,
        },
        this.policy,
      ),
    );
  }

  private nowSeconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }
}

const gatePeer = (peer: StoredPeer): GatePeer => ({ ticket: peer.ticket, seeder: peer.seeder, parkable: isParkablePeerId(peer.peerId) });

function isStalled(peer: StoredPeer, previous: StoredPeer | undefined, now: number): boolean {
  if (peer.seeder || previous === undefined || previous.seeder) return false;
  if (peer.left === undefined || previous.left === undefined || previous.announcedAt === undefined) return false;
  return peer.left >= previous.left && now - previous.announcedAt >= STALL_SECONDS;
}
