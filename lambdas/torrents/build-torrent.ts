import { buildInfo, hasV2, trackerInfoHashes, type TorrentFormat } from '../core/build-info';
import { infoHashV1 } from '../core/info-dict';
import { infoHashV2 } from '../core/info-dict-v2';
import { pieceLengthFor } from '../core/piece-length';
import type { ObjectHead, ObjectStore } from '../ports/object-store';
import type { CachedTorrent } from '../ports/torrent-cache';
import { hashObject, type HashOptions } from './hash-object';

/** Hashes an object (parallel ranged reads) and builds its torrent (v1 unless told), ready to cache. */
export async function buildObjectTorrent(
  store: ObjectStore,
  head: ObjectHead,
  name: string,
  options: { readonly format?: TorrentFormat; readonly private?: boolean },
  createdAt: Date,
  hashOptions?: HashOptions,
): Promise<CachedTorrent> {
  const format = options.format ?? 'v1';
  const pieceLength = pieceLengthFor(head.size);
  const hashes = await hashObject(store, head, pieceLength, format, undefined, hashOptions);
  const built = buildInfo({ format, name, length: head.size, pieceLength, hashes, private: options.private });
  return {
    infoHash: Buffer.from(infoHashV1(built.info)).toString('hex'),
    info: built.info,
    pieceLayers: built.pieceLayers,
    size: head.size,
    pieceLength,
    createdAt,
  };
}

/** The infohashes of a cached info dict, hex: v1 (SHA-1) and v2 (SHA-256) as its format has them. */
export function infoHashesOf(info: Uint8Array, format: TorrentFormat): { v1?: string; v2?: string } {
  return {
    v1: format !== 'v2' ? Buffer.from(infoHashV1(info)).toString('hex') : undefined,
    v2: hasV2(format) ? Buffer.from(infoHashV2(info)).toString('hex') : undefined,
  };
}

/** What the tracker must know of a torrent: its v1 hash and/or its v2 hash truncated to 20 bytes. */
export function announcedInfoHashes(info: Uint8Array, format: TorrentFormat): string[] {
  return trackerInfoHashes({
    infoHashV1: format !== 'v2' ? infoHashV1(info) : undefined,
    infoHashV2: hasV2(format) ? infoHashV2(info) : undefined,
  });
}
