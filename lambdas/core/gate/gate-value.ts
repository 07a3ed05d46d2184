import type { GateState } from './gate-policy';

/**
 * The KeyValueStore value the edge function reads for a torrent (key: the gate key):
 * `1;<until>;<id>,<id>,...` — format version, the epoch second the gate expires, the open ticket
 * ids. At most 48 ids of 8 characters: well under the store's 1,024-character value limit. The
 * edge function (lambdas/edge/web-seed-gate.js) parses it; test/edge/ checks both agree.
 */
export const GATE_VALUE_VERSION = '1';
export const MAX_GATE_VALUE_LENGTH = 1024;

export function encodeGateValue(state: GateState): string {
  const value = `${GATE_VALUE_VERSION};${Math.floor(state.until)};${state.open.map((t) => t.id).join(',')}`;
  if (value.length > MAX_GATE_VALUE_LENGTH) throw new RangeError(`a gate value is at most ${MAX_GATE_VALUE_LENGTH} characters`);
  return value;
}

/** What the edge needs of a gate: when it expires and who is served. */
export interface EdgeGate {
  readonly until: number;
  readonly open: readonly string[];
}

export function decodeGateValue(value: string): EdgeGate | undefined {
  const match = /^1;(\d{1,12});([a-z2-7,]*)$/.exec(value);
  if (!match) return undefined;
  return { until: Number(match[1]), open: match[2] === '' ? [] : (match[2] as string).split(',') };
}
