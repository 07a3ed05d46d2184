import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { BLOCK_SIZE, merkleRoot, PieceRootHasher, treeHeight, v2FileHashes, zeroSubtreeRoot } from '../../lambdas/core/merkle';
import { pieceAlignedRanges } from '../../lambdas/core/ranges';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

/**
 * BEP 52 written out the long way, independent of merkle.ts: hash every block, pad the leaves with
 * zero hashes to a power of two (at least one piece's worth for multi-piece files), build every
 * layer, read the root and the layer whose nodes span one piece.
 */
function referenceV2(data: Uint8Array, pieceLength: number): { root: string; layer?: string } {
  const leaves: Buffer[] = [];
  for (let i = 0; i < data.length; i += BLOCK_SIZE) leaves.push(sha256(data.subarray(i, i + BLOCK_SIZE)));
  const blocksPerPiece = pieceLength / BLOCK_SIZE;
  const multiPiece = data.length > pieceLength;
  let width = 1;
  while (width < leaves.length || (multiPiece && width < blocksPerPiece)) width *= 2;
  let layer = [...leaves, ...Array.from({ length: width - leaves.length }, () => Buffer.alloc(32))];
  let pieceLayer: Buffer[] | undefined;
  for (let span = 1; ; span *= 2) {
    if (span === blocksPerPiece && multiPiece) pieceLayer = layer.slice(0, Math.ceil(data.length / pieceLength));
    if (layer.length === 1) break;
    const next: Buffer[] = [];
    for (let i = 0; i < layer.length; i += 2) next.push(sha256(Buffer.concat([layer[i]!, layer[i + 1]!])));
    layer = next;
  }
  return { root: layer[0]!.toString('hex'), layer: pieceLayer && Buffer.concat(pieceLayer).toString('hex') };
}

function v2Of(data: Uint8Array, pieceLength: number, parts: Uint8Array[] = [data]) {
  const hasher = new PieceRootHasher(pieceLength);
  for (const part of parts) hasher.update(part);
  const r = v2FileHashes(hasher.digest(), pieceLength, data.length);
  return { root: Buffer.from(r.piecesRoot).toString('hex'), layer: r.pieceLayer && Buffer.from(r.pieceLayer).toString('hex') };
}

function randomBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed || 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const pieceLengths = fc.constantFrom(BLOCK_SIZE, 2 * BLOCK_SIZE, 4 * BLOCK_SIZE, 8 * BLOCK_SIZE);
// Sizes around block and piece boundaries matter most, so lean on them.
const sizes = fc.oneof(
  fc.integer({ min: 1, max: 300_000 }),
  fc
    .tuple(fc.integer({ min: 1, max: 18 }), fc.integer({ min: -1, max: 1 }))
    .map(([blocks, delta]) => Math.max(1, blocks * BLOCK_SIZE + delta)),
);

describe('BEP 52 merkle trees', () => {
  it('match the long-hand construction for any size and piece length', () => {
    fc.assert(
      fc.property(sizes, pieceLengths, fc.nat(), (size, pieceLength, seed) => {
        const data = randomBytes(size, seed);
        expect(v2Of(data, pieceLength)).toEqual(referenceV2(data, pieceLength));
      }),
      { numRuns: 150 },
    );
  });

  it('give the same result for any chunking of the input', () => {
    fc.assert(
      fc.property(sizes, pieceLengths, fc.array(fc.nat(), { maxLength: 12 }), (size, pieceLength, cuts) => {
        const data = randomBytes(size, size);
        const points = [...new Set(cuts.map((c) => c % (size + 1))), size].sort((a, b) => a - b);
        const parts = points.map((p, i) => data.subarray(i === 0 ? 0 : points[i - 1], p));
        expect(v2Of(data, pieceLength, parts)).toEqual(v2Of(data, pieceLength));
      }),
      { numRuns: 150 },
    );
  });

  it('compose: piece roots of piece-aligned ranges hashed apart combine into the whole file`s root and layer', () => {
    fc.assert(
      fc.property(sizes, pieceLengths, fc.integer({ min: 1, max: 200_000 }), (size, pieceLength, rangeBytes) => {
        const data = randomBytes(size, 7);
        const roots = pieceAlignedRanges(size, pieceLength, rangeBytes).map((r) => {
          const hasher = new PieceRootHasher(pieceLength);
          hasher.update(data.subarray(r.start, r.end));
          return hasher.digest();
        });
        const combined = v2FileHashes(Buffer.concat(roots), pieceLength, size);
        const whole = referenceV2(data, pieceLength);
        expect(Buffer.from(combined.piecesRoot).toString('hex')).toBe(whole.root);
        expect(combined.pieceLayer && Buffer.from(combined.pieceLayer).toString('hex')).toBe(whole.layer);
      }),
      { numRuns: 150 },
    );
  });

  it('compose at any level: sibling subtree roots hash into their parent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 64 }), fc.nat(), (leafCount, seed) => {
        const leaves = randomBytes(leafCount * 32, seed);
        const height = treeHeight(leafCount);
        const half = 2 ** (height - 1);
        const left = merkleRoot(leaves.subarray(0, half * 32), 0, height - 1);
        const right = merkleRoot(leaves.subarray(half * 32), 0, height - 1);
        expect(merkleRoot(leaves, 0, height)).toEqual(sha256(Buffer.concat([left, right])));
      }),
    );
  });

  it('gives a pieces root that depends on the bytes only, not on the piece length', () => {
    const data = randomBytes(5 * BLOCK_SIZE + 3, 9);
    const roots = [BLOCK_SIZE, 2 * BLOCK_SIZE, 8 * BLOCK_SIZE, 64 * BLOCK_SIZE].map((pl) => v2Of(data, pl).root);
    expect(new Set(roots).size).toBe(1);
  });

  it('pads with the roots of all-zero subtrees', () => {
    expect(zeroSubtreeRoot(0)).toEqual(Buffer.alloc(32));
    expect(zeroSubtreeRoot(2)).toEqual(sha256(Buffer.concat([sha256(Buffer.alloc(64)), sha256(Buffer.alloc(64))])));
  });

  it('gives no piece layer to a file of one piece or less, and one hash per piece above', () => {
    expect(v2Of(randomBytes(BLOCK_SIZE, 1), BLOCK_SIZE).layer).toBeUndefined();
    expect(v2Of(randomBytes(BLOCK_SIZE + 1, 1), BLOCK_SIZE).layer).toHaveLength(2 * 64);
  });

  it('rejects piece lengths BEP 52 does not allow and root counts that do not fit the file', () => {
    expect(() => new PieceRootHasher(8192)).toThrow(/16 KiB/);
    expect(() => new PieceRootHasher(3 * BLOCK_SIZE)).toThrow(/power of two/);
    expect(() => v2FileHashes(new Uint8Array(32), BLOCK_SIZE, BLOCK_SIZE + 1)).toThrow(/expected 2 piece roots/);
    expect(() => v2FileHashes(new Uint8Array(0), BLOCK_SIZE, 0)).toThrow(/non-empty/);
  });
});
