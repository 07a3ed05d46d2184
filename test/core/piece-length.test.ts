import fc from 'fast-check';
import {
  isValidPieceLength,
  MAX_PIECE_LENGTH,
  MIN_AUTO_PIECE_LENGTH,
  pieceCount,
  pieceLengthFor,
  TARGET_PIECE_COUNT,
} from '../../lambdas/core/piece-length';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const S3_MAX_OBJECT = 50_000 * GiB; // 10,000 parts of 5 GiB: 48.8 TiB

describe('pieceLengthFor', () => {
  it.each([
    [1, 32 * KiB],
    [64 * MiB, 32 * KiB],
    [64 * MiB + 1, 64 * KiB],
    [1 * GiB, 512 * KiB],
    [100 * GiB, 64 * MiB],
    [512 * GiB, 256 * MiB],
    [S3_MAX_OBJECT, 256 * MiB],
  ])('size %d -> %d', (size, expected) => {
    expect(pieceLengthFor(size)).toBe(expected);
  });

  it('keeps the largest S3 object at 200,000 pieces (4 MB of hashes)', () => {
    const pieces = pieceCount(S3_MAX_OBJECT, pieceLengthFor(S3_MAX_OBJECT));
    expect(pieces).toBe(200_000);
    expect(pieces * 20).toBeLessThanOrEqual(4_000_000);
  });

  it('always picks a power of two mktorrent can reproduce (2^15..2^28), with as few pieces as the cap allows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: S3_MAX_OBJECT }), (size) => {
        const length = pieceLengthFor(size);
        expect(isValidPieceLength(length)).toBe(true);
        expect(length).toBeGreaterThanOrEqual(MIN_AUTO_PIECE_LENGTH);
        expect(Math.log2(length)).toBeGreaterThanOrEqual(15);
        expect(Math.log2(length)).toBeLessThanOrEqual(28);
        if (length < MAX_PIECE_LENGTH) expect(pieceCount(size, length)).toBeLessThanOrEqual(TARGET_PIECE_COUNT);
        // The next smaller power of two would have been too many pieces (or below the minimum).
        if (length > MIN_AUTO_PIECE_LENGTH) expect(pieceCount(size, length / 2)).toBeGreaterThan(TARGET_PIECE_COUNT);
      }),
    );
  });

  it('rejects sizes that are not whole non-negative numbers', () => {
    expect(() => pieceLengthFor(-1)).toThrow(RangeError);
    expect(() => pieceLengthFor(1.5)).toThrow(RangeError);
  });
});

describe('isValidPieceLength', () => {
  it.each([16 * KiB, 32 * KiB, 256 * MiB])('accepts %d', (n) => expect(isValidPieceLength(n)).toBe(true));
  it.each([0, 8 * KiB, 48 * KiB, 512 * MiB, 32 * KiB + 1])('rejects %d', (n) => expect(isValidPieceLength(n)).toBe(false));
});
