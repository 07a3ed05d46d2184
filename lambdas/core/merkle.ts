import { hash } from 'node:crypto';

/**
 * BitTorrent v2 (BEP 52) merkle trees.
 *
 * A file's tree has one leaf per 16 KiB block (SHA-256 of the block; the last block may be short),
 * padded with zero hashes to a power of two. `pieces root` is the root; `piece layers` holds the
 * layer whose nodes each cover one piece. A node depends only on the leaves under it, so disjoint,
 * piece-aligned parts of a file can be hashed apart (worker threads, ranged GETs, workflow chunks)
 * and combined: `PieceRootHasher` gives one root per piece of whatever range it is fed, and
 * `v2FileHashes` turns the concatenated roots of all ranges into the file's `pieces root` and layer.
 *
 * Heights count from the leaves: a block hash is at height 0, a piece of 2^k blocks at height k.
 */
export const BLOCK_SIZE = 16 * 1024;
export const SHA256_LENGTH = 32;

export const sha256 = (data: Uint8Array): Buffer => hash('sha256', data, 'buffer');

const zeroRoots: Buffer[] = [Buffer.alloc(SHA256_LENGTH)];

/** The root of a subtree of `height` levels whose leaves are all zero hashes (the padding). */
export function zeroSubtreeRoot(height: number): Buffer {
  for (let h = zeroRoots.length; h <= height; h++) {
    const below = zeroRoots[h - 1] as Buffer;
    zeroRoots.push(sha256(Buffer.concat([below, below])));
  }
  return zeroRoots[height] as Buffer;
}

/** The height of the smallest tree with at least `count` leaves: ceil(log2(count)). */
export function treeHeight(count: number): number {
  let height = 0;
  while (2 ** height < count) height++;
  return height;
}

/**
 * The root at `rootHeight` of the tree whose nodes at `layerHeight` are `layer` (concatenated
 * 32-byte hashes, in order) followed by zero-leaf subtrees up to a power of two.
 */
export function merkleRoot(layer: Uint8Array, layerHeight: number, rootHeight: number): Buffer {
  let count = layer.length / SHA256_LENGTH;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`a layer needs whole 32-byte hashes, got ${layer.length} bytes`);
  if (count > 2 ** (rootHeight - layerHeight))
    throw new RangeError(`${count} nodes do not fit under a root ${rootHeight - layerHeight} levels up`);
  let nodes = Buffer.from(layer.buffer, layer.byteOffset, layer.length);
  for (let height = layerHeight; height < rootHeight; height++) {
    const parents = Buffer.allocUnsafe(Math.ceil(count / 2) * SHA256_LENGTH);
    const pad = zeroSubtreeRoot(height);
    const pair = Buffer.allocUnsafe(2 * SHA256_LENGTH);
    for (let i = 0; i < count; i += 2) {
      const left = nodes.subarray(i * SHA256_LENGTH, (i + 2) * SHA256_LENGTH);
      // Two adjacent nodes are already contiguous: hash them in place; a lone last node gets its pad.
      const input = i + 1 < count ? left : (left.copy(pair), pad.copy(pair, SHA256_LENGTH), pair);
      sha256(input).copy(parents, (i / 2) * SHA256_LENGTH);
    }
    nodes = parents;
    count = parents.length / SHA256_LENGTH;
  }
  return Buffer.from(nodes.subarray(0, SHA256_LENGTH));
}

export function assertV2PieceLength(pieceLength: number): void {
  if (!Number.isInteger(pieceLength) || pieceLength < BLOCK_SIZE || (pieceLength & (pieceLength - 1)) !== 0) {
    throw new RangeError(`v2 piece length must be a power of two of at least 16 KiB, got ${pieceLength}`);
  }
}

/**
 * Streams bytes of a piece-aligned range and gives the merkle root of each of its pieces, over any
 * chunking. A short last piece (only the file's last piece can be short) gets its tight root: over
 * its blocks padded to a power of two, not to the piece length, because that is what `pieces root`
 * is for a file of a single piece; `v2FileHashes` pads it to a full piece where the layer needs it.
 */
export class PieceRootHasher {
  private readonly blocksPerPiece: number;
  private readonly leaves: Buffer;
  private leafCount = 0;
  private readonly partial = Buffer.allocUnsafe(BLOCK_SIZE);
  private partialFilled = 0;
  private readonly roots: Buffer[] = [];
  private total = 0;
  private finished = false;

  constructor(readonly pieceLength: number) {
    assertV2PieceLength(pieceLength);
    this.blocksPerPiece = pieceLength / BLOCK_SIZE;
    this.leaves = Buffer.allocUnsafe(this.blocksPerPiece * SHA256_LENGTH);
  }

  get bytesHashed(): number {
    return this.total;
  }

  update(chunk: Uint8Array): void {
    if (this.finished) throw new Error('PieceRootHasher already finished');
    let offset = 0;
    if (this.partialFilled > 0) {
      const take = Math.min(BLOCK_SIZE - this.partialFilled, chunk.length);
      this.partial.set(chunk.subarray(0, take), this.partialFilled);
      this.partialFilled += take;
      offset = take;
      if (this.partialFilled === BLOCK_SIZE) {
        this.addLeaf(this.partial);
        this.partialFilled = 0;
      }
    }
    // Whole blocks are hashed where they lie, without a copy.
    for (; offset + BLOCK_SIZE <= chunk.length; offset += BLOCK_SIZE) this.addLeaf(chunk.subarray(offset, offset + BLOCK_SIZE));
    if (offset < chunk.length) {
      this.partial.set(chunk.subarray(offset), this.partialFilled);
      this.partialFilled += chunk.length - offset;
    }
    this.total += chunk.length;
  }

  /** The root of every piece fed, concatenated (32 bytes each). */
  digest(): Uint8Array {
    if (!this.finished) {
      if (this.partialFilled > 0) this.addLeaf(this.partial.subarray(0, this.partialFilled));
      if (this.leafCount > 0) this.closePiece();
      this.finished = true;
    }
    return Buffer.concat(this.roots);
  }

  private addLeaf(block: Uint8Array): void {
    sha256(block).copy(this.leaves, this.leafCount * SHA256_LENGTH);
    if (++this.leafCount === this.blocksPerPiece) this.closePiece();
  }

  private closePiece(): void {
    this.roots.push(merkleRoot(this.leaves.subarray(0, this.leafCount * SHA256_LENGTH), 0, treeHeight(this.leafCount)));
    this.leafCount = 0;
  }
}

export interface V2FileHashes {
  readonly piecesRoot: Uint8Array;
  /** One 32-byte hash per piece; absent for a file of one piece or less, which BEP 52 gives none. */
  readonly pieceLayer?: Uint8Array;
}

/**
 * Combines the piece roots of a whole file, in order (as `PieceRootHasher` gives them for the file
 * or for consecutive piece-aligned ranges of it), into its `pieces root` and piece layer.
 */
export function v2FileHashes(pieceRoots: Uint8Array, pieceLength: number, fileLength: number): V2FileHashes {
  assertV2PieceLength(pieceLength);
  if (!Number.isSafeInteger(fileLength) || fileLength <= 0)
    throw new RangeError(`a pieces root needs a non-empty file, got ${fileLength} bytes`);
  const pieces = Math.ceil(fileLength / pieceLength);
  if (pieceRoots.length !== pieces * SHA256_LENGTH) {
    throw new RangeError(`expected ${pieces} piece roots (${pieces * SHA256_LENGTH} bytes), got ${pieceRoots.length} bytes`);
  }
  if (pieces === 1) return { piecesRoot: Buffer.from(pieceRoots) };
  const pieceHeight = treeHeight(pieceLength / BLOCK_SIZE);
  const lastBlocks = Math.ceil((fileLength - (pieces - 1) * pieceLength) / BLOCK_SIZE);
  const layer = Buffer.from(pieceRoots);
  const lastOffset = (pieces - 1) * SHA256_LENGTH;
  // In the layer every piece covers a full piece of leaves: the tight root of a short last piece
  // grows with zero subtrees until it does.
  merkleRoot(layer.subarray(lastOffset), treeHeight(lastBlocks), pieceHeight).copy(layer, lastOffset);
  return { piecesRoot: merkleRoot(layer, pieceHeight, pieceHeight + treeHeight(pieces)), pieceLayer: layer };
}
