import { createHash } from 'node:crypto';
import { bdecode, bencode, type BencodeValue } from '../../lambdas/core/bencode';

/** The v1 infohash of a .torrent file (its info dict re-encoded canonically, as every tool writes it). */
export function infoHashOfTorrentFile(file: Uint8Array): string {
  const torrent = bdecode(file) as Record<string, BencodeValue>;
  return createHash('sha1')
    .update(bencode(torrent.info as BencodeValue))
    .digest('hex');
}

export function decodeTorrent(file: Uint8Array): Record<string, unknown> {
  return bdecode(file) as Record<string, unknown>;
}
