/**
 * Tickets of the swarm-aware web seed (docs/web-seed.md). Every `?torrent` answer for a public
 * object carries its own ticket, in the web seed's path and in the announce URL (both are outside
 * the info dict, so the infohash does not change): the tracker learns which downloader holds which
 * ticket, and the edge function decides per ticket whether the web seed serves or parks.
 *
 * A ticket is `<gate key>.<id>`: the gate key is the first 16 hex digits of the torrent's announced
 * infohash (the key of the torrent's entry in the KeyValueStore), the id 8 base32 characters
 * (40 random bits) naming one issuance. The web seed's first path segment is `_<ticket>`: no bucket
 * name starts with `_`, so a gated path never shadows an object.
 */
export const GATE_KEY_HEX_DIGITS = 16;
export const TICKET_ID_LENGTH = 8;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const TICKET = /^([0-9a-f]{16})\.([a-z2-7]{8})$/;

export interface Ticket {
  /** The torrent's entry in the gate table and the KeyValueStore. */
  readonly gateKey: string;
  /** This issuance. */
  readonly id: string;
}

/** The gate key of a torrent, from the (hex) infohash clients announce. */
export function gateKeyOf(announcedInfoHashHex: string): string {
  if (!/^[0-9a-f]{40}$/.test(announcedInfoHashHex)) throw new RangeError('an infohash is 40 lowercase hex digits');
  return announcedInfoHashHex.slice(0, GATE_KEY_HEX_DIGITS);
}

/** A new ticket from 5 random bytes (injected, so tests are deterministic). */
export function newTicket(announcedInfoHashHex: string, random: Uint8Array): Ticket {
  if (random.length < 5) throw new RangeError('a ticket id needs 5 random bytes');
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(random[i] as number);
  let id = '';
  for (let i = TICKET_ID_LENGTH - 1; i >= 0; i--) id += BASE32[Number((bits >> BigInt(5 * i)) & 31n)];
  return { gateKey: gateKeyOf(announcedInfoHashHex), id };
}

export const formatTicket = (ticket: Ticket) => `${ticket.gateKey}.${ticket.id}`;

/** The ticket in a path segment or announce route, or undefined when it is not one. */
export function parseTicket(text: string): Ticket | undefined {
  const match = TICKET.exec(text);
  return match ? { gateKey: match[1] as string, id: match[2] as string } : undefined;
}

/** True when `ticket` belongs to the torrent announced as `infoHashHex`. */
export const ticketMatches = (ticket: Ticket, infoHashHex: string) => infoHashHex.startsWith(ticket.gateKey);
