import { hasV1, hasV2, type PieceHashes, type TorrentFormat } from './build-info';
import { PieceRootHasher } from './merkle';
import { PieceHasher, SHA1_LENGTH } from './piece-hasher';

/** The two kinds of piece hash: SHA-1 per piece (v1) and the merkle root per piece (v2). */
export type HashKind = 'v1' | 'v2';

export const hashKindsOf = (format: TorrentFormat): HashKind[] => [
  ...(hasV1(format) ? ['v1' as const] : []),
  ...(hasV2(format) ? ['v2' as const] : []),
];

/**
 * Everything any torrent needs of one object at one piece length: a single-file torrent of it, and
 * a folder torrent holding it as a file that starts on a piece boundary (BEP 47). Stored once per
 * object identity and piece length, and shared by all of them.
 */
export interface ObjectHashes {
  readonly size: number;
  readonly pieceLength: number;
  /** SHA-1 of every piece, the last over the object's last bytes as they are. */
  readonly v1?: Uint8Array;
  /** SHA-1 of the last piece filled with zeros to the piece length, as a pad file follows it (when the size is not a whole number of pieces). */
  readonly v1PaddedTail?: Uint8Array;
  /** The merkle root of every piece (see merkle.ts): a file's v2 hashes depend on nothing else. */
  readonly v2?: Uint8Array;
}

export const hasKinds = (hashes: ObjectHashes, kinds: readonly HashKind[]) => kinds.every((kind) => hashes[kind] !== undefined);

/** Hashes consecutive bytes of an object (one piece-aligned range of it) for the kinds asked. */
export class ObjectHashesHasher {
  private readonly v1?: PieceHasher;
  private readonly v2?: PieceRootHasher;
  private total = 0;

  constructor(
    readonly pieceLength: number,
    kinds: readonly HashKind[],
  ) {
    if (kinds.includes('v1')) this.v1 = new PieceHasher(pieceLength);
    if (kinds.includes('v2')) this.v2 = new PieceRootHasher(pieceLength);
  }

  get bytesHashed(): number {
    return this.total;
  }

  update(chunk: Uint8Array): void {
    this.v1?.update(chunk);
    this.v2?.update(chunk);
    this.total += chunk.length;
  }

  /** The hashes of this range; `size` is filled in by `joinRangeHashes`. */
  digest(): Omit<ObjectHashes, 'size' | 'pieceLength'> {
    const v1 = this.v1?.digestWithPaddedTail();
    return { v1: v1?.pieces, v1PaddedTail: v1?.paddedTail, v2: this.v2?.digest() };
  }
}

/** The hashes of a whole object from those of its consecutive piece-aligned ranges, in order. */
export function joinRangeHashes(
  size: number,
  pieceLength: number,
  parts: readonly Omit<ObjectHashes, 'size' | 'pieceLength'>[],
): ObjectHashes {
  const join = (kind: HashKind) =>
    parts.length > 0 && parts.every((p) => p[kind] !== undefined) ? Buffer.concat(parts.map((p) => p[kind] as Uint8Array)) : undefined;
  const hashes: ObjectHashes = {
    size,
    pieceLength,
    v1: join('v1'),
    v1PaddedTail: size % pieceLength !== 0 ? parts[parts.length - 1]?.v1PaddedTail : undefined,
    v2: join('v2'),
  };
  checkObjectHashes(hashes);
  return hashes;
}

/** Combines what two computations of the same object found (one may have v1, the other v2). */
export function mergeObjectHashes(a: ObjectHashes, b: ObjectHashes): ObjectHashes {
  if (a.size !== b.size || a.pieceLength !== b.pieceLength) throw new RangeError('hashes of different objects or piece lengths');
  return {
    size: a.size,
    pieceLength: a.pieceLength,
    v1: a.v1 ?? b.v1,
    v1PaddedTail: a.v1 ? a.v1PaddedTail : b.v1PaddedTail,
    v2: a.v2 ?? b.v2,
  };
}

/** The object's pieces in a BEP 47 torrent: its own, the last one zero-filled. */
export function bep47Pieces(hashes: ObjectHashes): Uint8Array {
  const v1 = required(hashes.v1, 'v1 piece hashes');
  if (hashes.v1PaddedTail === undefined) return v1;
  const out = Buffer.from(v1);
  out.set(hashes.v1PaddedTail, out.length - SHA1_LENGTH);
  return out;
}

/** The hashes of a single-file torrent of the object. */
export function singleFileHashes(hashes: ObjectHashes, format: TorrentFormat): PieceHashes {
  return {
    v1: hasV1(format) ? required(hashes.v1, 'v1 piece hashes') : undefined,
    v2: hasV2(format) ? required(hashes.v2, 'v2 piece roots') : undefined,
  };
}

/** Throws when the hashes do not have the sizes the object's size and piece length call for. */
export function checkObjectHashes(hashes: ObjectHashes): void {
  const pieces = Math.ceil(hashes.size / hashes.pieceLength);
  if (hashes.v1 !== undefined && hashes.v1.length !== pieces * SHA1_LENGTH) {
    throw new RangeError(`expected ${pieces} v1 piece hashes, got ${hashes.v1.length} bytes`);
  }
  const needsTail = hashes.v1 !== undefined && hashes.size % hashes.pieceLength !== 0;
  if (needsTail !== (hashes.v1PaddedTail !== undefined) || (needsTail && hashes.v1PaddedTail?.length !== SHA1_LENGTH)) {
    throw new RangeError('the zero-filled last piece hash is missing or out of place');
  }
  if (hashes.v2 !== undefined && hashes.v2.length !== pieces * 32)
    throw new RangeError(`expected ${pieces} v2 piece roots, got ${hashes.v2.length} bytes`);
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new RangeError(`${what} are missing`);
  return value;
}
