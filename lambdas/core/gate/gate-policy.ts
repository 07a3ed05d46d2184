/**
 * The web-seed gate's policy: which downloaders of a torrent the web seed (S3 behind CloudFront,
 * or the local gateway) serves, and which it parks, given what the tracker knows. Pure: the
 * tracker and the endpoint call it with facts and store what it returns (docs/web-seed.md).
 *
 * The gate is a list of open tickets plus an expiry. A downloader whose ticket is open gets the
 * web seed; any other downloader of a gated torrent is parked (a soft refusal libtorrent retries
 * every 30 s). No entry, or an expired one, means everyone is served: the gate fails open.
 *
 * - A feed is a downloader the web seed serves: an open ticket, or a leecher whose client is not
 *   parkable (aria2 and Transmission drop a web seed that refuses them, so they are never parked).
 * - While the swarm has fewer than `seedersToGate` seeders and fewer than `feeds` feeds, the next
 *   downloader's ticket opens (at issuance for the first ones, so the first downloader is served
 *   from its first request; at an announce otherwise). Everyone else downloads from the swarm.
 * - Open is sticky until the downloader completes or leaves: no flapping, and no 16 MiB request cut
 *   short. When the last feed and the seeders are gone, the next announce opens a parked
 *   downloader: that is how "the seeders left" gets S3 back without a restart.
 * - A parked downloader that made no progress between two announces (`stalled`: unreachable
 *   seeders, say) is opened whatever the counts.
 */
export interface GatePolicy {
  /** Downloaders the web seed serves at once while seeders are short (default 1). */
  readonly feeds: number;
  /** With this many live seeders no new feed opens (default 1). */
  readonly seedersToGate: number;
  /** How long a ticket opened at issuance stays open before its downloader first announces. */
  readonly issueHoldSeconds: number;
  /** How long the gate holds without an announce refreshing it (the tracker's peer lifetime). */
  readonly holdSeconds: number;
}

export const DEFAULT_GATE_POLICY: GatePolicy = { feeds: 1, seedersToGate: 1, issueHoldSeconds: 120, holdSeconds: 1980 };

/** At most this many tickets are open at once; beyond it the torrent is not worth gating (the entry is dropped). */
export const MAX_OPEN_TICKETS = 48;

export interface OpenTicket {
  readonly id: string;
  /** Epoch seconds it was opened. */
  readonly since: number;
  /** Epoch seconds its downloader was last seen announcing as a leecher (unset: not yet). */
  readonly seenAt?: number;
}

export interface GateState {
  readonly open: readonly OpenTicket[];
  /** Live seeders when the tracker last decided (issuance, which has no swarm view, reads it). */
  readonly seeders: number;
  /** Epoch seconds after which the gate is void: the edge function then serves everyone. */
  readonly until: number;
}

/** A live peer of the tracker's sample, as the gate sees it. */
export interface GatePeer {
  /** The ticket id it announces with (unset: it announced on a route without a ticket). */
  readonly ticket?: string;
  readonly seeder: boolean;
  /** Whether its client treats a park as a soft refusal (see parkable-clients.ts). */
  readonly parkable: boolean;
}

export interface SwarmView {
  /** Epoch seconds. */
  readonly now: number;
  /** Live peers sampled, the announcing peer included with its new state unless it stopped. */
  readonly peers: readonly GatePeer[];
  /** The sample covers the whole swarm (otherwise an open ticket may be live outside it). */
  readonly wholeSwarm: boolean;
  /** The announcing peer's ticket when it stopped: its ticket closes at once. */
  readonly stoppedTicket?: string;
  /** The announcing peer's ticket when it is a parked leecher that made no progress since its last announce. */
  readonly stalledTicket?: string;
}

/** The gate after an announce; undefined when there is nothing to gate (no live peer, no pending ticket). */
export function decideGate(previous: GateState | undefined, view: SwarmView, policy: GatePolicy): GateState | undefined {
  const { now } = view;
  const current = previous !== undefined && previous.until > now ? previous : undefined;
  const byTicket = new Map<string, GatePeer>();
  for (const peer of view.peers) if (peer.ticket !== undefined) byTicket.set(peer.ticket, peer);
  const seeders = view.peers.filter((p) => p.seeder).length;

  const open: OpenTicket[] = [];
  for (const ticket of current?.open ?? []) {
    if (ticket.id === view.stoppedTicket) continue;
    const peer = byTicket.get(ticket.id);
    if (peer !== undefined) {
      if (peer.seeder) continue; // done: it no longer needs the web seed
      open.push(refreshed(ticket, now, policy));
    } else if (
      ticket.seenAt === undefined
        ? now - ticket.since < policy.issueHoldSeconds
        : !view.wholeSwarm && now - ticket.seenAt < policy.holdSeconds
    ) {
      open.push(ticket); // issued and not yet announced, or live outside this sample
    }
  }
  const isOpen = (id: string) => open.some((t) => t.id === id);
  const open_ = (id: string) => open.push({ id, since: now, seenAt: now });

  if (view.stalledTicket !== undefined && byTicket.has(view.stalledTicket) && !isOpen(view.stalledTicket)) open_(view.stalledTicket);

  const unparkableFeeds = view.peers.filter((p) => !p.seeder && !p.parkable && !(p.ticket !== undefined && isOpen(p.ticket))).length;
  let feeds = open.length + unparkableFeeds;
  if (seeders < policy.seedersToGate) {
    const candidates = view.peers.filter((p) => !p.seeder && p.parkable && p.ticket !== undefined && !isOpen(p.ticket));
    for (const candidate of candidates) {
      if (feeds >= policy.feeds) break;
      open_(candidate.ticket as string);
      feeds++;
    }
  }

  if (open.length > MAX_OPEN_TICKETS) return undefined;
  if (view.peers.length === 0 && open.length === 0) return undefined;
  return { open, seeders, until: extended(current?.until, now, policy.holdSeconds) };
}

/**
 * The gate after the endpoint issued ticket `id`: the first downloader's ticket opens at once, so
 * its first request is served; so do the next ones while feeds and seeders are short.
 */
export function issueTicket(previous: GateState | undefined, id: string, now: number, policy: GatePolicy): GateState {
  const current = previous !== undefined && previous.until > now ? previous : undefined;
  if (current === undefined) return { open: [{ id, since: now }], seeders: 0, until: now + policy.issueHoldSeconds };
  if (current.open.length >= policy.feeds || current.seeders >= policy.seedersToGate || current.open.length >= MAX_OPEN_TICKETS) {
    return current;
  }
  return { ...current, open: [...current.open, { id, since: now }], until: Math.max(current.until, now + policy.issueHoldSeconds) };
}

/** Whether the edge serves ticket `id` under `gate` at `now` (what the edge function decides). */
export function gateServes(gate: GateState | undefined, id: string, now: number): boolean {
  return gate === undefined || gate.until <= now || gate.open.some((t) => t.id === id);
}

/** Equal for storage purposes: a decision that changes nothing writes nothing. */
export function sameGate(a: GateState | undefined, b: GateState | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * `seenAt` and `until` move in coarse steps (a quarter and a half of the hold) so a steady swarm
 * does not rewrite its gate, and republish it to the edge, on every announce.
 */
function refreshed(ticket: OpenTicket, now: number, policy: GatePolicy): OpenTicket {
  if (ticket.seenAt !== undefined && now - ticket.seenAt < policy.holdSeconds / 4) return ticket;
  return { ...ticket, seenAt: now };
}

function extended(until: number | undefined, now: number, holdSeconds: number): number {
  return until !== undefined && until - now >= holdSeconds / 2 ? until : now + holdSeconds;
}
