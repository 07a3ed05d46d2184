import { parseIpAddress } from '../../lambdas/core/tracker/ip-address';
import { percentEncodeBytes } from '../../lambdas/core/tracker/query-string';

/** What a BitTorrent client sends; bytes are percent-encoded the way clients do it. */
export interface AnnounceParams {
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  readonly port: number;
  readonly left: number;
  readonly uploaded?: number;
  readonly downloaded?: number;
  readonly event?: 'started' | 'completed' | 'stopped' | '';
  readonly numwant?: number;
  readonly compact?: 0 | 1;
  readonly noPeerId?: boolean;
  readonly key?: string;
  readonly extra?: string;
}

export function announceQuery(p: AnnounceParams): string {
  const parts = [
    `info_hash=${percentEncodeBytes(p.infoHash)}`,
    `peer_id=${percentEncodeBytes(p.peerId)}`,
    `port=${p.port}`,
    `uploaded=${p.uploaded ?? 0}`,
    `downloaded=${p.downloaded ?? 0}`,
    `left=${p.left}`,
    `compact=${p.compact ?? 1}`,
  ];
  if (p.event !== undefined) parts.push(`event=${p.event}`);
  if (p.numwant !== undefined) parts.push(`numwant=${p.numwant}`);
  if (p.noPeerId) parts.push('no_peer_id=1');
  if (p.key !== undefined) parts.push(`key=${p.key}`);
  if (p.extra !== undefined) parts.push(p.extra);
  return parts.join('&');
}

export const scrapeQuery = (infoHashes: readonly Uint8Array[]) => infoHashes.map((h) => `info_hash=${percentEncodeBytes(h)}`).join('&');

/** A bencoded value as a client sees it: dictionary keys are kept byte for byte (as latin1 text). */
export type Decoded = number | Buffer | Decoded[] | { [key: string]: Decoded };

/**
 * Decodes bencode keeping binary dictionary keys intact (the `bencode` package decodes keys as UTF-8,
 * which mangles the raw infohashes that key a scrape's `files`). Strict: throws on trailing bytes.
 */
export function decodeTrackerBody(bytes: Uint8Array): Decoded {
  const data = Buffer.from(bytes);
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`bad bencode at ${at}: ${why}`);
  };
  const string = (): Buffer => {
    const colon = data.indexOf(0x3a, at);
    if (colon < 0) fail('no string length');
    const length = Number(data.toString('latin1', at, colon));
    if (!Number.isSafeInteger(length)) fail('bad string length');
    at = colon + 1 + length;
    if (at > data.length) fail('string past the end');
    return data.subarray(colon + 1, at);
  };
  const value = (): Decoded => {
    const c = data[at];
    if (c === 0x69) {
      const end = data.indexOf(0x65, at);
      if (end < 0) fail('unterminated integer');
      const n = Number(data.toString('latin1', at + 1, end));
      at = end + 1;
      return n;
    }
    if (c === 0x6c) {
      at++;
      const list: Decoded[] = [];
      while (data[at] !== 0x65) {
        if (at >= data.length) fail('unterminated list');
        list.push(value());
      }
      at++;
      return list;
    }
    if (c === 0x64) {
      at++;
      const dict: { [key: string]: Decoded } = {};
      while (data[at] !== 0x65) {
        if (at >= data.length) fail('unterminated dictionary');
        const key = string().toString('latin1');
        dict[key] = value();
      }
      at++;
      return dict;
    }
    return string();
  };
  const result = value();
  if (at !== data.length) fail('trailing bytes');
  return result;
}

export interface DecodedAnnounce {
  readonly failure?: string;
  readonly interval?: number;
  readonly minInterval?: number;
  readonly complete?: number;
  readonly incomplete?: number;
  /** `ip:port` of every peer, from the compact or the dictionary form, IPv6 as `[ip]:port`. */
  readonly peers: string[];
  /** Peer ids, when the dictionary form carried them. */
  readonly peerIds: Buffer[];
}

export function decodeAnnounce(body: Uint8Array): DecodedAnnounce {
  const d = decodeTrackerBody(body) as Record<string, Decoded>;
  const peers: string[] = [];
  const peerIds: Buffer[] = [];
  if (Buffer.isBuffer(d.peers)) {
    for (let i = 0; i + 6 <= d.peers.length; i += 6)
      peers.push(`${[...d.peers.subarray(i, i + 4)].join('.')}:${d.peers.readUInt16BE(i + 4)}`);
  } else if (Array.isArray(d.peers)) {
    for (const p of d.peers as Record<string, Decoded>[]) {
      const ip = (p.ip as Buffer).toString();
      peers.push(ip.includes(':') ? `[${ip}]:${p.port as number}` : `${ip}:${p.port as number}`);
      if (p['peer id']) peerIds.push(p['peer id'] as Buffer);
    }
  }
  const peers6 = d.peers6;
  if (Buffer.isBuffer(peers6)) {
    for (let i = 0; i + 18 <= peers6.length; i += 18) {
      const groups = Array.from({ length: 8 }, (_, g) => peers6.readUInt16BE(i + 2 * g).toString(16));
      peers.push(`[${parseIpAddress(groups.join(':'))?.text}]:${peers6.readUInt16BE(i + 16)}`);
    }
  }
  return {
    failure: Buffer.isBuffer(d['failure reason']) ? d['failure reason'].toString() : undefined,
    interval: d.interval as number | undefined,
    minInterval: d['min interval'] as number | undefined,
    complete: d.complete as number | undefined,
    incomplete: d.incomplete as number | undefined,
    peers,
    peerIds,
  };
}

export interface DecodedScrape {
  readonly failure?: string;
  /** Keyed by hex infohash. */
  readonly files: Record<string, { complete: number; incomplete: number; downloaded: number }>;
}

export function decodeScrape(body: Uint8Array): DecodedScrape {
  const d = decodeTrackerBody(body) as Record<string, Decoded>;
  const files: DecodedScrape['files'] = {};
  for (const [key, value] of Object.entries((d.files ?? {}) as Record<string, Record<string, number>>)) {
    files[Buffer.from(key, 'latin1').toString('hex')] = {
      complete: value.complete!,
      incomplete: value.incomplete!,
      downloaded: value.downloaded!,
    };
  }
  return { failure: Buffer.isBuffer(d['failure reason']) ? d['failure reason'].toString() : undefined, files };
}
