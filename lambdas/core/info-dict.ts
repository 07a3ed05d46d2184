import { createHash } from 'node:crypto';
import { bencode } from './bencode';
import { isValidPieceLength, pieceCount } from './piece-length';
import { SHA1_LENGTH } from './piece-hasher';

/** A single-file BitTorrent v1 info dictionary (BEP 3). */
export interface InfoV1 {
  readonly name: string;
  readonly length: number;
  readonly pieceLength: number;
  /** SHA-1 of every piece, concatenated. */
  readonly pieces: Uint8Array;
  /** BEP 27; omitted unless true, so public torrents match mktorrent's infohash. */
  readonly private?: boolean;
  /** Free-form tag some trackers require to tell otherwise identical torrents apart. */
  readonly source?: string;
}

/**
 * Bencodes the info dict with only the keys mktorrent writes for the same options
 * (`length`, `name`, `piece length`, `pieces`, and `private`/`source` when asked for),
 * so the same bytes, name and piece length give the same infohash.
 */
export function encodeInfoV1(info: InfoV1): Uint8Array {
  if (info.name.length === 0) throw new RangeError('torrent name must not be empty');
  if (!Number.isSafeInteger(info.length) || info.length <= 0) throw new RangeError(`invalid length: ${info.length}`);
  if (!isValidPieceLength(info.pieceLength)) throw new RangeError(`invalid piece length: ${info.pieceLength}`);
  const expectedPiecesBytes = pieceCount(info.length, info.pieceLength) * SHA1_LENGTH;
  if (info.pieces.length !== expectedPiecesBytes) {
    throw new RangeError(`pieces has ${info.pieces.length} bytes, expected ${expectedPiecesBytes}`);
  }
  return bencode({
    length: info.length,
    name: info.name,
    'piece length': info.pieceLength,
    pieces: info.pieces,
    private: info.private ? 1 : undefined,
    source: info.source,
  });
}

/** The v1 infohash: SHA-1 over the bencoded info dict. */
export function infoHashV1(encodedInfo: Uint8Array): Uint8Array {
  return createHash('sha1').update(encodedInfo).digest();
}
