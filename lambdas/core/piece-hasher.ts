import { createHash, type Hash } from 'node:crypto';

export const SHA1_LENGTH = 20;

// Fed repeatedly to hash the zeros of a pad file without allocating a piece of them.
const ZEROS = Buffer.alloc(1024 * 1024);

/**
 * SHA-1 of consecutive pieces over a stream of chunks of any size. Chunks are hashed in place
 * (subarray, no copies), so memory stays flat whatever the chunk or piece size.
 * Feeding a piece-aligned slice of an object yields exactly that slice's piece hashes, which is
 * what lets parallel workers hash disjoint ranges and concatenate their results.
 */
export class PieceHasher {
  private readonly digests: Buffer[] = [];
  private current: Hash = createHash('sha1');
  private filled = 0;
  private total = 0;
  private finished = false;

  constructor(readonly pieceLength: number) {
    if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) throw new RangeError(`invalid piece length: ${pieceLength}`);
  }

  /** Bytes fed so far. */
  get bytesHashed(): number {
    return this.total;
  }

  /** Whole pieces hashed so far. */
  get piecesDone(): number {
    return this.digests.length;
  }

  update(chunk: Uint8Array): void {
    if (this.finished) throw new Error('PieceHasher already finished');
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.pieceLength - this.filled, chunk.length - offset);
      this.current.update(offset === 0 && take === chunk.length ? chunk : chunk.subarray(offset, offset + take));
      offset += take;
      this.filled += take;
      if (this.filled === this.pieceLength) this.closePiece();
    }
    this.total += chunk.length;
  }

  /**
   * What `digest` returns, and the hash of the last piece as a BEP 47 torrent sees it: filled with
   * zeros up to the piece length (undefined when the bytes end on a piece boundary, where the two agree).
   */
  digestWithPaddedTail(): { pieces: Uint8Array; paddedTail?: Uint8Array } {
    if (this.finished) throw new Error('PieceHasher already finished');
    let paddedTail: Uint8Array | undefined;
    if (this.filled > 0) {
      const padded = this.current.copy();
      for (let left = this.pieceLength - this.filled; left > 0; left -= ZEROS.length)
        padded.update(ZEROS.subarray(0, Math.min(left, ZEROS.length)));
      paddedTail = padded.digest();
    }
    return { pieces: this.digest(), paddedTail };
  }

  /** Closes the last (short) piece, if any, and returns all piece hashes concatenated. */
  digest(): Uint8Array {
    if (!this.finished) {
      if (this.filled > 0) this.closePiece();
      this.finished = true;
    }
    return Buffer.concat(this.digests);
  }

  private closePiece(): void {
    this.digests.push(this.current.digest());
    this.current = createHash('sha1');
    this.filled = 0;
  }
}

/** Hashes a whole buffer in one pass: the reference the chunked paths are tested against. */
export function hashPieces(data: Uint8Array, pieceLength: number): Uint8Array {
  const out = Buffer.alloc(Math.ceil(data.length / pieceLength) * SHA1_LENGTH);
  for (let i = 0, start = 0; start < data.length; i++, start += pieceLength) {
    createHash('sha1')
      .update(data.subarray(start, Math.min(start + pieceLength, data.length)))
      .digest()
      .copy(out, i * SHA1_LENGTH);
  }
  return out;
}
