import { parseIpAddress } from './ip-address';
import { parseQueryString, type QueryParams } from './query-string';
import { TrackerError } from './tracker-error';
import { parseTicket, type Ticket } from '../gate/ticket';

export const INFO_HASH_LENGTH = 20;
export const PEER_ID_LENGTH = 20;
/** Peers handed out when the client does not say (`numwant` absent or negative). */
export const DEFAULT_NUMWANT = 50;
/** The most peers one announce gets, whatever it asks for; also what one announce reads. */
export const MAX_NUMWANT = 200;
/** opentracker's limit too: a scrape reads every torrent it names. */
export const MAX_SCRAPE_HASHES = 64;
/** `key` is a client's secret of a few bytes (usually 8 hex digits); anything longer is not a key. */
const MAX_KEY_BYTES = 64;

/** `paused` is BEP 21's partial seed; it is announced like a regular update. */
export type AnnounceEvent = 'started' | 'completed' | 'stopped' | 'paused' | 'update';

/** Where a peer can be reached: at most one address per family. */
export interface PeerAddresses {
  readonly ipv4?: string;
  readonly ipv6?: string;
}

export interface AnnounceRequest {
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  readonly port: number;
  readonly uploaded: number;
  readonly downloaded: number;
  readonly left: number;
  readonly event: AnnounceEvent;
  /** Already clamped to 0..MAX_NUMWANT. */
  readonly numwant: number;
  readonly compact: boolean;
  readonly noPeerId: boolean;
  /** The client's `key`, hex-encoded; it proves the client owns its peer id when its address changes. */
  readonly key?: string;
  readonly addresses: PeerAddresses;
  /**
   * The web-seed ticket of the `?torrent` answer the client got (docs/web-seed.md), carried in its
   * announce URL as `ticket=` the way private trackers carry a passkey.
   */
  readonly ticket?: Ticket;
}

export interface RequestSource {
  /** The address the request came from (API Gateway's `sourceIp`). */
  readonly sourceIp: string;
  /**
   * Honour the client's `ip`, `ipv4` and `ipv6` parameters. Off by default: anyone could otherwise
   * point a swarm at a third party's address.
   */
  readonly trustIpHints: boolean;
}

const EVENTS: Readonly<Record<string, AnnounceEvent>> = {
  '': 'update',
  empty: 'update',
  started: 'started',
  completed: 'completed',
  stopped: 'stopped',
  paused: 'paused',
};

/** Validates a BEP 3 announce from its raw query string; throws TrackerError saying what is wrong. */
export function parseAnnounceRequest(rawQuery: string, source: RequestSource): AnnounceRequest {
  const params = parseQueryString(rawQuery);
  const event = EVENTS[text(params, 'event') ?? ''];
  if (event === undefined) throw new TrackerError('event must be started, completed, stopped or empty');
  const key = single(params, 'key');
  if (key !== undefined && key.length > MAX_KEY_BYTES) throw new TrackerError(`key must be at most ${MAX_KEY_BYTES} bytes`);
  const ticketText = text(params, 'ticket');
  const ticket = ticketText === undefined ? undefined : parseTicket(ticketText);
  if (ticketText !== undefined && ticket === undefined)
    throw new TrackerError('ticket is malformed: use the announce URL of your torrent as it is');
  return {
    infoHash: twentyBytes(params, 'info_hash'),
    peerId: twentyBytes(params, 'peer_id'),
    port: port(params),
    uploaded: count(params, 'uploaded') ?? 0,
    downloaded: count(params, 'downloaded') ?? 0,
    left: required(count(params, 'left'), 'left'),
    event,
    numwant: numwant(params),
    compact: flag(params, 'compact', true),
    noPeerId: flag(params, 'no_peer_id', false),
    key: key !== undefined && key.length > 0 ? Buffer.from(key).toString('hex') : undefined,
    addresses: peerAddresses(params, source),
    ...(ticket !== undefined ? { ticket } : {}),
  };
}

/** Validates a BEP 48 scrape: one or more distinct 20-byte `info_hash` values. */
export function parseScrapeRequest(rawQuery: string): Uint8Array[] {
  const values = parseQueryString(rawQuery).get('info_hash') ?? [];
  if (values.length === 0) throw new TrackerError('scrape needs at least one info_hash: this tracker does not list its torrents');
  if (values.length > MAX_SCRAPE_HASHES) throw new TrackerError(`a scrape may name at most ${MAX_SCRAPE_HASHES} info_hash values`);
  const distinct = new Map<string, Uint8Array>();
  for (const value of values) {
    if (value.length !== INFO_HASH_LENGTH) throw new TrackerError(`info_hash must be ${INFO_HASH_LENGTH} bytes, got ${value.length}`);
    distinct.set(Buffer.from(value).toString('hex'), value);
  }
  return [...distinct.values()];
}

/**
 * The peer's addresses: where the request came from, unless hints are trusted, in which case BEP 3's
 * `ip` replaces the address of its family and BEP 7's `ipv4`/`ipv6` add or replace one. An
 * untrusted hint is ignored, not refused, so clients that always send one keep working.
 */
function peerAddresses(params: QueryParams, source: RequestSource): PeerAddresses {
  const from = parseIpAddress(source.sourceIp);
  if (!from) throw new TrackerError('the tracker cannot tell your IP address');
  const addresses: { ipv4?: string; ipv6?: string } = from.family === 4 ? { ipv4: from.text } : { ipv6: from.text };
  if (!source.trustIpHints) return addresses;
  for (const name of ['ip', 'ipv4', 'ipv6'] as const) {
    const hint = text(params, name);
    if (hint === undefined || hint.length === 0) continue;
    const address = parseIpAddress(withoutPort(hint));
    if (!address || (name === 'ipv4' && address.family !== 4) || (name === 'ipv6' && address.family !== 6)) {
      throw new TrackerError(`${name} must be an ${name === 'ipv6' ? 'IPv6' : name === 'ipv4' ? 'IPv4' : 'IP'} address`);
    }
    if (address.family === 4) addresses.ipv4 = address.text;
    else addresses.ipv6 = address.text;
  }
  return addresses;
}

/** BEP 7 allows `[address]:port` and `a.b.c.d:port`; the announced `port` is the one we hand out. */
function withoutPort(hint: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hint);
  if (bracketed) return bracketed[1] as string;
  const v4WithPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(hint);
  return v4WithPort ? (v4WithPort[1] as string) : hint;
}

function single(params: QueryParams, name: string): Uint8Array | undefined {
  const values = params.get(name);
  if (values === undefined) return undefined;
  if (values.length > 1) throw new TrackerError(`${name} must be given once`);
  return values[0];
}

function text(params: QueryParams, name: string): string | undefined {
  const value = single(params, name);
  return value === undefined ? undefined : Buffer.from(value).toString('latin1');
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new TrackerError(`${name} is missing`);
  return value;
}

function twentyBytes(params: QueryParams, name: string): Uint8Array {
  const value = required(single(params, name), name);
  if (value.length !== INFO_HASH_LENGTH) throw new TrackerError(`${name} must be ${INFO_HASH_LENGTH} bytes, got ${value.length}`);
  return value;
}

const DIGITS = /^[0-9]{1,20}$/;

/** A byte count: a whole number, at most 20 digits (u64); precision beyond 2^53 does not matter here. */
function count(params: QueryParams, name: string): number | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  if (!DIGITS.test(value)) throw new TrackerError(`${name} must be a whole number of bytes`);
  return Number(value);
}

function port(params: QueryParams): number {
  const value = required(text(params, 'port'), 'port');
  const n = /^[0-9]{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new TrackerError('port must be a whole number from 1 to 65535');
  return n;
}

function numwant(params: QueryParams): number {
  const value = text(params, 'numwant');
  if (value === undefined || value === '') return DEFAULT_NUMWANT;
  if (!/^-?[0-9]{1,10}$/.test(value)) throw new TrackerError('numwant must be a whole number');
  const n = Number(value);
  return n < 0 ? DEFAULT_NUMWANT : Math.min(n, MAX_NUMWANT);
}

/** `compact=1`, `no_peer_id=1`: "0" is false, anything else given is true. */
function flag(params: QueryParams, name: string, fallback: boolean): boolean {
  const value = text(params, name);
  if (value === undefined || value === '') return fallback;
  return value !== '0';
}
