import fc from 'fast-check';
import { chunkRange, MAX_CHUNKS, MAX_OBJECT_BYTES, MIN_CHUNK_BYTES, piecesInChunk, planChunks } from '../../lambdas/core/chunk-plan';
import { hashPieces, PieceHasher } from '../../lambdas/core/piece-hasher';
import { MAX_PIECE_LENGTH, pieceLengthFor } from '../../lambdas/core/piece-length';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

describe('planChunks', () => {
  it('hashing each chunk apart and concatenating gives the pieces of a one-pass hash', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 60_000 }),
        fc.constantFrom(1, 3, 64, 1000, 4096, 16 * 1024),
        fc.integer({ min: 1, max: 70_000 }),
        fc.integer({ min: 1, max: 50 }),
        (data, pieceLength, minChunkBytes, maxChunks) => {
          const plan = planChunks(data.length, pieceLength, { minChunkBytes, maxChunks });
          const parts = Array.from({ length: plan.chunkCount }, (_, i) => {
            const { start, end } = chunkRange(plan, i);
            const hasher = new PieceHasher(pieceLength);
            hasher.update(data.subarray(start, end));
            const pieces = hasher.digest();
            expect(pieces.length).toBe(piecesInChunk(plan, i) * 20);
            return pieces;
          });
          expect(Buffer.concat(parts)).toEqual(Buffer.from(hashPieces(data, pieceLength)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('makes piece-aligned chunks that cover the object exactly, never more than the chunk limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_OBJECT_BYTES }), (size) => {
        const pieceLength = pieceLengthFor(size);
        const plan = planChunks(size, pieceLength);
        expect(plan.chunkBytes % pieceLength).toBe(0);
        expect(plan.chunkBytes).toBeGreaterThanOrEqual(MIN_CHUNK_BYTES);
        expect(plan.chunkCount).toBeLessThanOrEqual(MAX_CHUNKS);
        expect(chunkRange(plan, 0).start).toBe(0);
        expect(chunkRange(plan, plan.chunkCount - 1).end).toBe(size);
        const last = plan.chunkCount - 1;
        expect(piecesInChunk(plan, 0) * last + piecesInChunk(plan, last)).toBe(plan.pieceCount);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['300 MiB', 2, 256 * MiB, 300 * MiB],
    ['1 GiB', 4, 256 * MiB, GiB],
    ['100 GiB', 400, 256 * MiB, 100 * GiB],
    ['1 TiB', 4096, 256 * MiB, TiB],
    ['5 TiB', 6827, 768 * MiB, 5 * TiB],
    ["48.8 TiB, S3's maximum,", 10_000, 5 * GiB, MAX_OBJECT_BYTES],
  ])('%s splits into %d chunks of %d bytes', (_label, chunkCount, chunkBytes, size) => {
    const plan = planChunks(size, pieceLengthFor(size));
    expect(plan.chunkBytes).toBe(chunkBytes);
    expect(plan.chunkCount).toBe(chunkCount);
  });

  it('keeps the largest chunk a few minutes of work even at a pessimistic 50 MiB/s', () => {
    const plan = planChunks(MAX_OBJECT_BYTES, MAX_PIECE_LENGTH);
    expect(plan.chunkBytes / (50 * MiB)).toBeLessThan((15 * 60) / 4);
  });

  it('rejects empty objects and chunks outside the plan', () => {
    expect(() => planChunks(0, 32 * 1024)).toThrow(RangeError);
    const plan = planChunks(10, 4, { minChunkBytes: 4 });
    expect(() => chunkRange(plan, plan.chunkCount)).toThrow(RangeError);
    expect(() => chunkRange(plan, -1)).toThrow(RangeError);
  });
});
