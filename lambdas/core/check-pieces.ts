import { hasV1, hasV2, type PieceHashes } from './build-info';
import { SHA256_LENGTH, v2FileHashes } from './merkle';
import type { TorrentMetainfo } from './metainfo';
import { SHA1_LENGTH } from './piece-hasher';

export interface PieceCheck {
  /** Indexes of pieces whose data does not match the torrent (v1 or v2 hashes, whichever it has). */
  readonly badPieces: readonly number[];
  readonly pieceCount: number;
}

/**
 * Compares the hashes of a file's data with a single-file torrent's: v1 piece by piece, v2 piece
 * layer by piece layer (the pieces root for a file of one piece). A hybrid torrent is checked both
 * ways, so one whose v1 and v2 halves disagree does not pass. The data must have the torrent's length.
 */
export function checkPieces(meta: TorrentMetainfo, computed: PieceHashes): PieceCheck {
  const file = meta.files[0];
  if (!meta.singleFile || file === undefined) throw new RangeError('only single-file torrents can be checked');
  const bad = new Set<number>();
  if (hasV1(meta.format)) {
    const expected = meta.pieces as Uint8Array;
    const actual = need(computed.v1, 'v1 piece hashes');
    for (let i = 0; i < meta.pieceCount; i++) if (!sameHash(expected, actual, i, SHA1_LENGTH)) bad.add(i);
  }
  if (hasV2(meta.format)) {
    const ours = v2FileHashes(need(computed.v2, 'v2 piece roots'), meta.pieceLength, file.length);
    const root = file.piecesRoot as Uint8Array;
    if (ours.pieceLayer === undefined) {
      if (!Buffer.from(root).equals(ours.piecesRoot)) bad.add(0);
    } else {
      const layer = meta.pieceLayers.get(Buffer.from(root).toString('latin1'));
      if (layer === undefined) throw new RangeError('the torrent has no piece layer for its file, so its pieces cannot be checked');
      for (let i = 0; i < ours.pieceLayer.length / SHA256_LENGTH; i++) if (!sameHash(layer, ours.pieceLayer, i, SHA256_LENGTH)) bad.add(i);
      // A layer that matches but does not hash to the root means a damaged torrent, not damaged data: report it all.
      if (bad.size === 0 && !Buffer.from(root).equals(ours.piecesRoot))
        throw new RangeError('the torrent`s piece layer does not match its pieces root');
    }
  }
  return { badPieces: [...bad].sort((a, b) => a - b), pieceCount: meta.pieceCount };
}

function sameHash(expected: Uint8Array, actual: Uint8Array, index: number, size: number): boolean {
  const start = index * size;
  if (start + size > expected.length || start + size > actual.length) return false;
  return Buffer.from(expected.buffer, expected.byteOffset + start, size).equals(
    Buffer.from(actual.buffer, actual.byteOffset + start, size),
  );
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new RangeError(`${what} were not computed`);
  return value;
}
