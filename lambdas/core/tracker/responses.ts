import { bencode, type BencodeValue } from '../bencode';
import { parseIpAddress } from './ip-address';
import type { PeerAddresses } from './requests';

/** A peer as another peer learns it. */
export interface PeerContact extends PeerAddresses {
  readonly peerId: Uint8Array;
  readonly port: number;
}

export interface AnnounceAnswer {
  /** Seconds until the client should announce again. */
  readonly interval: number;
  /** Seconds the client must wait before announcing again of its own accord. */
  readonly minInterval: number;
  /** Seeders and leechers in the swarm (exact for small swarms, estimated for large ones). */
  readonly complete: number;
  readonly incomplete: number;
  readonly peers: readonly PeerContact[];
}

export interface ResponseOptions {
  readonly compact: boolean;
  readonly noPeerId: boolean;
}

/**
 * BEP 3 announce response. Compact (BEP 23): `peers` is 6 bytes per IPv4 peer and `peers6`
 * (BEP 7) 18 bytes per IPv6 peer, address then port in network order. Otherwise `peers` is the
 * original list of dictionaries, one per address, with `peer id` unless `no_peer_id` was asked.
 */
export function encodeAnnounceResponse(answer: AnnounceAnswer, options: ResponseOptions): Uint8Array {
  const body: Record<string, BencodeValue | undefined> = {
    interval: answer.interval,
    'min interval': answer.minInterval,
    complete: answer.complete,
    incomplete: answer.incomplete,
  };
  if (options.compact) {
    body.peers = compactPeers(answer.peers, 'ipv4');
    const peers6 = compactPeers(answer.peers, 'ipv6');
    if (peers6.length > 0) body.peers6 = peers6;
  } else {
    body.peers = answer.peers.flatMap((peer) =>
      [peer.ipv4, peer.ipv6]
        .filter((ip): ip is string => ip !== undefined)
        .map((ip) => ({ ip, port: peer.port, 'peer id': options.noPeerId ? undefined : peer.peerId })),
    );
  }
  return bencode(body);
}

export interface ScrapeEntry {
  readonly infoHash: Uint8Array;
  readonly complete: number;
  readonly incomplete: number;
  /** Completed downloads over the torrent's life (`completed` events). */
  readonly downloaded: number;
}

/** BEP 48 scrape response: `files` keyed by the raw 20-byte infohash. */
export function encodeScrapeResponse(entries: readonly ScrapeEntry[]): Uint8Array {
  const files = new Map<Uint8Array, BencodeValue>(
    entries.map((e) => [e.infoHash, { complete: e.complete, downloaded: e.downloaded, incomplete: e.incomplete }]),
  );
  return bencode({ files });
}

export function encodeFailure(reason: string): Uint8Array {
  return bencode({ 'failure reason': reason });
}

function compactPeers(peers: readonly PeerContact[], family: 'ipv4' | 'ipv6'): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const peer of peers) {
    const address = peer[family] === undefined ? undefined : parseIpAddress(peer[family]);
    if (!address) continue;
    const entry = new Uint8Array(address.bytes.length + 2);
    entry.set(address.bytes);
    entry[address.bytes.length] = peer.port >> 8;
    entry[address.bytes.length + 1] = peer.port & 0xff;
    parts.push(entry);
  }
  return Buffer.concat(parts);
}
