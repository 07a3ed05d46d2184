import type { SwarmMember, SwarmSample } from '../core/tracker/swarm-sample';

/** What the tracker keeps about a torrent this service built. */
export interface TrackedTorrent {
  /** Hex infohash. */
  readonly infoHash: string;
  /** Completed downloads so far. */
  readonly downloaded: number;
  /** BEP 27 private torrent: served only to requests that carry its announce token. */
  readonly private: boolean;
  /** The infohash the torrent's announce token is made from (the first one it is announced under). */
  readonly tokenHash?: string;
}

/** A peer to store: a swarm member plus the client's `key`, which proves ownership of its peer id. */
export interface StoredPeer extends SwarmMember {
  readonly key?: string;
  /** The id of the web-seed ticket it announces with (lambdas/core/gate/ticket.ts), when it has one. */
  readonly ticket?: string;
  /** Bytes left at its last announce, and when that was (epoch seconds): the gate spots stalls with them. */
  readonly left?: number;
  readonly announcedAt?: number;
}

/**
 * How long the store remembers that a peer id has downloaded a torrent: far longer than a peer
 * entry lives (a `stopped` deletes it at once), so a client that completes, stops, starts and
 * completes again in one session (one peer id) is one download. Clients make a new peer id per
 * session or per torrent, so a returning user is counted again, as a new download.
 */
export const DOWNLOAD_RECORD_SECONDS = 30 * 24 * 60 * 60;

/**
 * Who may change a peer's entry: the client that made it. A request is that client when it shares
 * an address with the entry, or brings the same `key` (BEP 3's proof of identity across address
 * changes). An expired entry belongs to no one.
 */
export type PeerWriteResult =
  | { readonly outcome: 'written'; readonly previous?: StoredPeer }
  | { readonly outcome: 'owned-by-another-client' }
  /** The peer stopped moments ago: only a new `started` brings it back (see STOPPED_PEER_SECONDS). */
  | { readonly outcome: 'stopped' };

export interface PutPeerOptions {
  /** The announce is a `started`: the client (re)joins, even just after a stop. */
  readonly starting?: boolean;
}

/**
 * How long a stop is remembered. A client may send a regular announce and, before its answer, a
 * `stopped` (libtorrent does when it pauses right after announcing); the two are handled
 * concurrently, and the older one's write may land last. Remembering the stop for a minute, far
 * longer than an announce takes, keeps such a straggler from bringing the peer back; a client that
 * really rejoins announces `started`.
 */
export const STOPPED_PEER_SECONDS = 60;

/**
 * The tracker's state: registered torrents (the whitelist) and their peers. Infohashes are
 * lowercase hex; times are epoch seconds.
 */
export interface SwarmStore {
  /** The registered torrents among `infoHashes`; unregistered ones are left out. */
  trackedTorrents(infoHashes: readonly string[]): Promise<Map<string, TrackedTorrent>>;
  /**
   * Adds or refreshes a peer unless another client owns its peer id, or it stopped less than
   * STOPPED_PEER_SECONDS ago and this is not a `started`; returns the entry it replaced.
   */
  putPeer(infoHash: string, peer: StoredPeer, nowSeconds: number, options?: PutPeerOptions): Promise<PeerWriteResult>;
  /** Removes a peer (a `stopped` event) unless another client owns its peer id, and remembers the stop. */
  removePeer(infoHash: string, peer: StoredPeer, nowSeconds: number): Promise<PeerWriteResult>;
  /**
   * Deletes peers that have expired (and are still expired: one that announced again is kept).
   * DynamoDB's own TTL deletion can take days; until then expired peers would crowd samples.
   */
  removeExpiredPeers(infoHash: string, peers: readonly StoredPeer[], nowSeconds: number): Promise<void>;
  /**
   * Counts a completed download of a registered torrent once per peer id: records that `peerId`
   * downloaded it (for DOWNLOAD_RECORD_SECONDS) and adds one to the torrent's counter, both or
   * neither. True when it counted; false when that peer id had already been counted (concurrent
   * or repeated announces) or the torrent is not registered.
   */
  recordDownload(infoHash: string, peerId: Uint8Array, nowSeconds: number): Promise<boolean>;
  /** At most `limit` peers in ring order from `start`, wrapping round once (expired ones included). */
  samplePeers(infoHash: string, start: number, limit: number): Promise<SwarmSample>;
}
