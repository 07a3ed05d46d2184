import fc from 'fast-check';
import { hashPieces, PieceHasher } from '../../lambdas/core/piece-hasher';
import { pieceAlignedRanges } from '../../lambdas/core/ranges';

/** Cuts `data` at the given (sorted, deduplicated) offsets. */
function split(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let last = 0;
  for (const p of [...points, data.length]) {
    parts.push(data.subarray(last, p));
    last = p;
  }
  return parts;
}

const pieceLengths = fc.constantFrom(1, 2, 3, 7, 64, 1000, 16 * 1024);

describe('PieceHasher', () => {
  it('gives the same pieces for any chunking of the input as hashing it whole', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 40_000 }),
        pieceLengths,
        fc.array(fc.nat(), { maxLength: 20 }),
        (data, pieceLength, cuts) => {
          const hasher = new PieceHasher(pieceLength);
          for (const part of split(data, cuts)) hasher.update(part);
          expect(Buffer.from(hasher.digest())).toEqual(Buffer.from(hashPieces(data, pieceLength)));
          expect(hasher.bytesHashed).toBe(data.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same pieces when piece-aligned ranges are hashed apart and concatenated', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 40_000 }),
        pieceLengths,
        fc.integer({ min: 1, max: 50_000 }),
        (data, pieceLength, rangeBytes) => {
          const ranges = pieceAlignedRanges(data.length, pieceLength, rangeBytes);
          expect(ranges[0]?.start).toBe(0);
          expect(ranges[ranges.length - 1]?.end).toBe(data.length);
          const parts = ranges.map((r) => {
            expect(r.start % pieceLength).toBe(0);
            const h = new PieceHasher(pieceLength);
            h.update(data.subarray(r.start, r.end));
            return h.digest();
          });
          expect(Buffer.concat(parts)).toEqual(Buffer.from(hashPieces(data, pieceLength)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hashes the SHA-1 of each piece', () => {
    const hasher = new PieceHasher(3);
    hasher.update(Buffer.from('abcdefg'));
    expect(Buffer.from(hasher.digest()).toString('hex')).toBe(
      // sha1("abc"), sha1("def"), sha1("g")
      'a9993e364706816aba3e25717850c26c9cd0d89d' + '589c22335a381f122d129225f5c0ba3056ed5811' + '54fd1711209fb1c0781092374132c66e79e2241b',
    );
  });

  it('refuses input after digest', () => {
    const hasher = new PieceHasher(4);
    hasher.digest();
    expect(() => hasher.update(Uint8Array.of(1))).toThrow();
  });
});
