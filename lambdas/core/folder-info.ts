import { createHash } from 'node:crypto';
import { bencode, type BencodeValue } from './bencode';
import { hasV1, hasV2, type BuiltInfo, type TorrentFormat } from './build-info';
import { infoHashV1 } from './info-dict';
import { infoHashV2 } from './info-dict-v2';
import { assertV2PieceLength, SHA256_LENGTH, v2FileHashes } from './merkle';
import { FOLDER_LIMITS, FolderLayoutError, type FolderLayout } from './folder-layout';
import { isValidPieceLength } from './piece-length';
import { SHA1_LENGTH } from './piece-hasher';
import { bep47Pieces, type ObjectHashes } from './object-hashes';

/**
 * Multi-file info dicts (BEP 3 `files`, BEP 47 pad files, BEP 52 `file tree`), written with the keys
 * libtorrent 2.0.8's create_torrent writes for a directory (and, for v1 without padding, the keys
 * mktorrent writes), so the same folder, name and piece length give the same infohashes.
 */
export interface FolderInfoOptions {
  readonly format: TorrentFormat;
  /** The torrent's name: the folder's, one path element. */
  readonly name: string;
  readonly layout: FolderLayout;
  /** v1 and hybrid: SHA-1 of every piece of the whole torrent (pad files included), in order. */
  readonly v1Pieces?: Uint8Array;
  /** v2 and hybrid: the piece roots of each content file (see merkle.ts), in `layout.files` order; empty files have none. */
  readonly v2PieceRoots?: readonly (Uint8Array | undefined)[];
  readonly private?: boolean;
  readonly source?: string;
}

/** The info dict (and piece layers) of a folder. */
export function buildFolderInfo(options: FolderInfoOptions): BuiltInfo {
  const { format, name, layout } = options;
  checkName(name);
  if (format !== 'v1' && layout.padding !== 'bep47') {
    throw new RangeError('v2 and hybrid folder torrents need the BEP 47 layout (every file on a piece boundary)');
  }
  if (hasV2(format)) assertV2PieceLength(layout.pieceLength);
  else if (!isValidPieceLength(layout.pieceLength)) throw new RangeError(`invalid piece length: ${layout.pieceLength}`);

  const info: Record<string, BencodeValue | undefined> = {
    name,
    'piece length': layout.pieceLength,
    private: options.private ? 1 : undefined,
    source: options.source,
  };
  let pieceLayers: Map<Uint8Array, BencodeValue> | undefined;
  if (hasV1(format)) {
    const pieces = required(options.v1Pieces, 'v1 piece hashes');
    if (pieces.length !== layout.pieceCount * SHA1_LENGTH) {
      throw new RangeError(`pieces has ${pieces.length} bytes, expected ${layout.pieceCount * SHA1_LENGTH}`);
    }
    info.files = v1Files(layout);
    info.pieces = pieces;
  }
  if (hasV2(format)) {
    const roots = required(options.v2PieceRoots, 'v2 piece roots');
    if (roots.length !== layout.files.length)
      throw new RangeError(`expected piece roots of ${layout.files.length} files, got ${roots.length}`);
    const tree = new Map<string, BencodeValue>();
    pieceLayers = new Map();
    layout.files.forEach((file, i) => {
      let leaf: Record<string, BencodeValue>;
      if (file.length === 0) {
        leaf = { length: 0 };
      } else {
        const hashes = v2FileHashes(required(roots[i], `piece roots of ${file.path.join('/')}`), layout.pieceLength, file.length);
        leaf = { length: file.length, 'pieces root': hashes.piecesRoot };
        if (hashes.pieceLayer) pieceLayers!.set(hashes.piecesRoot, hashes.pieceLayer);
      }
      insertIntoTree(tree, file.path, leaf);
    });
    info['file tree'] = tree;
    info['meta version'] = 2;
  }
  const encoded = bencode(info);
  return {
    format,
    info: encoded,
    pieceLayers: pieceLayers && pieceLayers.size > 0 ? bencode(pieceLayers) : undefined,
    infoHashV1: hasV1(format) ? infoHashV1(encoded) : undefined,
    infoHashV2: hasV2(format) ? infoHashV2(encoded) : undefined,
  };
}

/**
 * Bytes a folder torrent of this layout takes, known before anything is hashed (a build with
 * placeholder hashes: hashes have fixed sizes), so an oversized folder is refused before the work.
 * `extraBytes` is room for what is written around the info dict (announce, url-list...).
 */
export function assertFolderTorrentFits(format: TorrentFormat, name: string, layout: FolderLayout, extraBytes: number): void {
  const placeholder = buildFolderInfo({
    format,
    name,
    layout,
    v1Pieces: hasV1(format) ? new Uint8Array(layout.pieceCount * SHA1_LENGTH) : undefined,
    v2PieceRoots: hasV2(format)
      ? layout.files.map((f, i) => (f.length === 0 ? undefined : distinctRoots(Math.ceil(f.length / layout.pieceLength), i)))
      : undefined,
  });
  const bytes = placeholder.info.length + (placeholder.pieceLayers?.length ?? 0) + extraBytes;
  if (bytes > FOLDER_LIMITS.maxTorrentBytes) {
    throw new FolderLayoutError(
      'TorrentTooLarge',
      `the torrent of this folder would take ${bytes} bytes; folder torrents are at most ${FOLDER_LIMITS.maxTorrentBytes}`,
    );
  }
}

/**
 * v1 pieces of a BEP 47 layout from the hashes of its files (in `layout.files` order): each file's
 * own pieces, the last one zero-filled where a pad file follows it (every file, unless the folder
 * holds only one).
 */
export function bep47V1Pieces(layout: FolderLayout, objects: readonly ObjectHashes[]): Uint8Array {
  if (layout.padding !== 'bep47') throw new RangeError('per-file pieces make up a torrent only in the BEP 47 layout');
  const padded = layout.files.length > 1;
  return Buffer.concat(
    layout.files.map((file, i) => {
      if (file.length === 0) return new Uint8Array(0);
      const hashes = objects[i] as ObjectHashes;
      return padded ? bep47Pieces(hashes) : required(hashes.v1, `v1 pieces of ${file.path.join('/')}`);
    }),
  );
}

function v1Files(layout: FolderLayout): BencodeValue[] {
  return layout.entries.map((entry) =>
    entry.padding ? { attr: 'p', length: entry.length, path: [...entry.path] } : { length: entry.length, path: [...entry.path] },
  );
}

function insertIntoTree(tree: Map<string, BencodeValue>, path: readonly string[], leaf: Record<string, BencodeValue>): void {
  let node = tree;
  path.forEach((element, depth) => {
    if (depth === path.length - 1) {
      node.set(element, new Map<string, BencodeValue>([['', leaf]]));
      return;
    }
    let child = node.get(element);
    if (child === undefined) {
      child = new Map<string, BencodeValue>();
      node.set(element, child);
    }
    node = child as Map<string, BencodeValue>;
  });
}

// Piece layers are keyed by pieces root: equal placeholder roots would merge and undercount.
function distinctRoots(pieces: number, file: number): Uint8Array {
  const out = Buffer.alloc(pieces * SHA256_LENGTH);
  createHash('sha256').update(`placeholder ${file}`).digest().copy(out);
  return out;
}

function checkName(name: string): void {
  if (name.length === 0 || name.includes('/') || name === '.' || name === '..') {
    throw new RangeError(`invalid torrent name for a folder: ${JSON.stringify(name)}`);
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new RangeError(`${what} are missing`);
  return value;
}

/** A BEP 47 folder torrent from the stored hashes of its objects (in `layout.files` order). */
export function buildFolderInfoFromObjects(
  options: Omit<FolderInfoOptions, 'v1Pieces' | 'v2PieceRoots'> & { readonly objects: readonly ObjectHashes[] },
): BuiltInfo {
  const { objects, ...rest } = options;
  if (objects.length !== rest.layout.files.length)
    throw new RangeError(`expected the hashes of ${rest.layout.files.length} files, got ${objects.length}`);
  objects.forEach((o, i) => {
    const file = rest.layout.files[i]!;
    if (o.size !== file.length || o.pieceLength !== rest.layout.pieceLength) {
      throw new RangeError(`the hashes given for ${file.path.join('/')} are of another size or piece length`);
    }
  });
  const nonEmpty = (i: number) => (rest.layout.files[i]!.length > 0 ? objects[i] : undefined);
  return buildFolderInfo({
    ...rest,
    v1Pieces: hasV1(rest.format) ? bep47V1Pieces(rest.layout, objects) : undefined,
    v2PieceRoots: hasV2(rest.format) ? objects.map((_, i) => nonEmpty(i) && required(nonEmpty(i)!.v2, 'v2 piece roots')) : undefined,
  });
}
