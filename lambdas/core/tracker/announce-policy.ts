/** How often clients announce, and so how long a silent peer is kept. */
export interface AnnouncePolicy {
  /** Seconds between regular announces. */
  readonly interval: number;
  /** Seconds a client must leave between announces it makes of its own accord. */
  readonly minInterval: number;
}

export const DEFAULT_ANNOUNCE_POLICY: AnnouncePolicy = { interval: 1800, minInterval: 300 };

/**
 * Seconds a peer stays in the swarm after its last announce: the interval plus slack for clients
 * that announce a little late or retry a failed announce (a tenth of the interval, at least a minute).
 */
export function peerLifetime(policy: AnnouncePolicy): number {
  return policy.interval + Math.max(60, Math.ceil(policy.interval / 10));
}

export function validatePolicy(policy: AnnouncePolicy): AnnouncePolicy {
  if (!Number.isSafeInteger(policy.interval) || policy.interval < 1) throw new RangeError(`invalid announce interval: ${policy.interval}`);
  if (!Number.isSafeInteger(policy.minInterval) || policy.minInterval < 1 || policy.minInterval > policy.interval) {
    throw new RangeError(`min interval must be from 1 to the interval (${policy.interval}), got ${policy.minInterval}`);
  }
  return policy;
}
