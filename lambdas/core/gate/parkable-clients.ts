/**
 * Which clients the gate may park. Measured (bench/experiments/park-response.ts, docs/web-seed.md):
 * libtorrent 2.0 and the clients built on it retry a parked web seed every `urlseed_wait_retry`
 * (30 s) and resume when it serves again; aria2 1.36 drops the web seed for good after one park,
 * and Transmission 3.00 after five failures waits 300 s between probes. So only the libtorrent
 * family is parked; every other client is always served, and counts as a feed.
 *
 * The tracker recognises them by peer id (Azureus-style prefixes), the edge function by
 * User-Agent (lambdas/edge/web-seed-gate.js): both lists name the same clients.
 */
const PARKABLE_PEER_ID_PREFIXES = [
  '-LT', // libtorrent (rasterbar) itself, e.g. -LT2080-
  '-qB', // qBittorrent
  '-DE', // Deluge
];

export function isParkablePeerId(peerId: Uint8Array): boolean {
  const prefix = Buffer.from(peerId.subarray(0, 3)).toString('latin1');
  return PARKABLE_PEER_ID_PREFIXES.includes(prefix);
}

/** The same test on a User-Agent header, as the edge function applies it. */
export const PARKABLE_USER_AGENT = /(^|[\s(])(libtorrent|qBittorrent)\//;
