/**
 * Automatic piece length.
 *
 * The smallest power of two from 32 KiB up that splits the object into at most TARGET_PIECE_COUNT
 * pieces, capped at 256 MiB:
 * - 32 KiB (2^15) is the smallest piece mktorrent can make, so every automatic choice can be
 *   reproduced with `mktorrent -l <exponent>`; it is above BEP 52's 16 KiB minimum, so v2 stays possible.
 * - 256 MiB (2^28) is mktorrent's largest, and the largest power of two libtorrent accepts (its
 *   limit is 512 MiB - 16 KiB).
 *
 * - up to 64 MiB: 32 KiB pieces (at most 2,048 pieces, 40 KiB of SHA-1 hashes)
 * - up to 512 GiB: at most 2,048 pieces (40 KiB of hashes), e.g. 1 GiB -> 512 KiB, 100 GiB -> 64 MiB
 * - above 512 GiB the cap holds and the count grows: 48.8 TiB (S3's maximum, 50,000 GiB) -> 256 MiB
 *   pieces, 200,000 of them, 4 MB of hashes: still small next to the object it describes.
 */
export const MIN_PIECE_LENGTH = 16 * 1024;
export const MIN_AUTO_PIECE_LENGTH = 32 * 1024;
export const MAX_PIECE_LENGTH = 256 * 1024 * 1024;
export const TARGET_PIECE_COUNT = 2048;

export function pieceLengthFor(size: number): number {
  assertObjectSize(size);
  let pieceLength = MIN_AUTO_PIECE_LENGTH;
  while (pieceLength < MAX_PIECE_LENGTH && pieceLength * TARGET_PIECE_COUNT < size) pieceLength *= 2;
  return pieceLength;
}

export function pieceCount(size: number, pieceLength: number): number {
  return Math.ceil(size / pieceLength);
}

/** Validates a piece length given by a caller: a power of two from 16 KiB to 256 MiB. */
export function isValidPieceLength(pieceLength: number): boolean {
  return (
    Number.isInteger(pieceLength) &&
    pieceLength >= MIN_PIECE_LENGTH &&
    pieceLength <= MAX_PIECE_LENGTH &&
    (pieceLength & (pieceLength - 1)) === 0
  );
}

function assertObjectSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid object size: ${size}`);
}
