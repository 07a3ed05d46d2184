import { encodeInfoV1, infoHashV1 } from './info-dict';
import { encodeInfoHybrid, encodeInfoV2, encodePieceLayers, infoHashV2 } from './info-dict-v2';
import { PieceRootHasher, v2FileHashes } from './merkle';
import { PieceHasher } from './piece-hasher';

/**
 * Which BitTorrent versions a torrent speaks. v1 is the default everywhere: aria2 and
 * Transmission 3 cannot load v2-only torrents, and Transmission 3 rejects hybrid ones too.
 */
export type TorrentFormat = 'v1' | 'v2' | 'hybrid';
export const TORRENT_FORMATS: readonly TorrentFormat[] = ['v1', 'v2', 'hybrid'];

export const hasV1 = (format: TorrentFormat) => format !== 'v2';
export const hasV2 = (format: TorrentFormat) => format !== 'v1';

/**
 * The hashes of a piece-aligned range of a file: SHA-1 per piece (v1) and/or the merkle root per
 * piece (v2). The hashes of consecutive ranges concatenate into those of the whole file.
 */
export interface PieceHashes {
  readonly v1?: Uint8Array;
  readonly v2?: Uint8Array;
}

/** Hashes a stream of chunks for the given format, both hash kinds in one pass for hybrid. */
export class TorrentPieceHasher {
  private readonly v1?: PieceHasher;
  private readonly v2?: PieceRootHasher;
  private total = 0;

  constructor(pieceLength: number, format: TorrentFormat) {
    if (hasV1(format)) this.v1 = new PieceHasher(pieceLength);
    if (hasV2(format)) this.v2 = new PieceRootHasher(pieceLength);
  }

  get bytesHashed(): number {
    return this.total;
  }

  update(chunk: Uint8Array): void {
    this.v1?.update(chunk);
    this.v2?.update(chunk);
    this.total += chunk.length;
  }

  digest(): PieceHashes {
    return { v1: this.v1?.digest(), v2: this.v2?.digest() };
  }
}

/** The hashes of consecutive ranges, in order, as the hashes of the whole. */
export function concatPieceHashes(parts: readonly PieceHashes[]): PieceHashes {
  const concat = (kind: keyof PieceHashes) =>
    parts.every((p) => p[kind] !== undefined) && parts.length > 0 ? Buffer.concat(parts.map((p) => p[kind] as Uint8Array)) : undefined;
  return { v1: concat('v1'), v2: concat('v2') };
}

export interface InfoOptions {
  readonly format: TorrentFormat;
  readonly name: string;
  readonly length: number;
  readonly pieceLength: number;
  readonly hashes: PieceHashes;
  readonly private?: boolean;
  readonly source?: string;
}

export interface BuiltInfo {
  readonly format: TorrentFormat;
  /** The bencoded info dict. */
  readonly info: Uint8Array;
  /** The bencoded `piece layers` dict (v2 and hybrid, files of more than one piece). */
  readonly pieceLayers?: Uint8Array;
  /** SHA-1 of the info dict, for v1 and hybrid. */
  readonly infoHashV1?: Uint8Array;
  /** SHA-256 of the info dict, for v2 and hybrid. */
  readonly infoHashV2?: Uint8Array;
}

/** The info dict (and piece layers) of one file of the given format, from its piece hashes. */
export function buildInfo(options: InfoOptions): BuiltInfo {
  const { format, hashes, ...fields } = options;
  const v1Pieces = () => required(hashes.v1, 'v1 piece hashes');
  const v2 = hasV2(format) ? v2FileHashes(required(hashes.v2, 'v2 piece roots'), fields.pieceLength, fields.length) : undefined;
  const info =
    format === 'v1'
      ? encodeInfoV1({ ...fields, pieces: v1Pieces() })
      : format === 'v2'
        ? encodeInfoV2({ ...fields, piecesRoot: v2!.piecesRoot })
        : encodeInfoHybrid({ ...fields, pieces: v1Pieces(), piecesRoot: v2!.piecesRoot });
  return {
    format,
    info,
    pieceLayers: v2?.pieceLayer ? encodePieceLayers(v2.piecesRoot, v2.pieceLayer) : undefined,
    infoHashV1: hasV1(format) ? infoHashV1(info) : undefined,
    infoHashV2: hasV2(format) ? infoHashV2(info) : undefined,
  };
}

/**
 * The hex infohashes peers announce to a tracker with: the v1 hash, and the v2 hash truncated to
 * its first 20 bytes (BEP 52), so a hybrid torrent has two swarms to register.
 */
export function trackerInfoHashes(built: Pick<BuiltInfo, 'infoHashV1' | 'infoHashV2'>): string[] {
  const hashes: string[] = [];
  if (built.infoHashV1) hashes.push(Buffer.from(built.infoHashV1).toString('hex'));
  if (built.infoHashV2) hashes.push(Buffer.from(built.infoHashV2.subarray(0, 20)).toString('hex'));
  return hashes;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new RangeError(`${what} are missing`);
  return value;
}
