import { bdecodeExact, type BDecoded, type BDict } from './bencode';
import type { TorrentFormat } from './build-info';
import { infoHashV1 } from './info-dict';
import { infoHashV2 } from './info-dict-v2';
import { SHA256_LENGTH } from './merkle';
import { SHA1_LENGTH } from './piece-hasher';

export interface TorrentFileEntry {
  /** Path elements below the torrent's name; empty for a single-file torrent. */
  readonly path: readonly string[];
  readonly length: number;
  /** v2: the root of the file's merkle tree (absent for empty files). */
  readonly piecesRoot?: Uint8Array;
  /** A BEP 47 padding file (`attr` contains `p`), which carries no content. */
  readonly padding: boolean;
}

/** What a .torrent file says, read by any tool's conventions (single- or multi-file, v1, v2 or hybrid). */
export interface TorrentMetainfo {
  readonly format: TorrentFormat;
  readonly name: string;
  readonly pieceLength: number;
  /** Content bytes, padding files excluded. */
  readonly totalLength: number;
  readonly pieceCount: number;
  readonly files: readonly TorrentFileEntry[];
  /**
   * The v1 `files` list as written, pad files included, when the torrent has one (v1 or hybrid,
   * multi-file): the order v1 pieces run in. For a hybrid torrent `files` follows the v2 file tree.
   */
  readonly v1Files?: readonly TorrentFileEntry[];
  /** True when the torrent describes one file named `name` (no `files` list, no directory). */
  readonly singleFile: boolean;
  /** v1: SHA-1 of every piece, concatenated. */
  readonly pieces?: Uint8Array;
  /** v2: `piece layers`, by pieces root (as latin1 string of its bytes). */
  readonly pieceLayers: ReadonlyMap<string, Uint8Array>;
  readonly infoHashV1?: Uint8Array;
  readonly infoHashV2?: Uint8Array;
  readonly private: boolean;
  readonly source?: string;
  /** Tracker tiers: `announce-list` if present, else `announce` alone. */
  readonly trackers: readonly (readonly string[])[];
  readonly webSeeds: readonly string[];
  readonly comment?: string;
  readonly createdBy?: string;
  readonly creationDate?: Date;
  /** The info dict exactly as written. */
  readonly info: Uint8Array;
}

export class InvalidTorrentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTorrentError';
  }
}

const utf8 = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const latin1ToUtf8 = (key: string) => Buffer.from(key, 'latin1').toString('utf8');

/** Parses a .torrent file; throws InvalidTorrentError when it is not one. */
export function parseTorrentFile(bytes: Uint8Array): TorrentMetainfo {
  let decoded: ReturnType<typeof bdecodeExact>;
  try {
    decoded = bdecodeExact(bytes);
  } catch (err) {
    throw new InvalidTorrentError(`not a torrent file: ${(err as Error).message}`);
  }
  const top = asDict(decoded.value, 'the torrent');
  const info = asDict(top.get('info'), 'info');
  const rawInfo = decoded.rawTopLevel.get('info') as Uint8Array;

  const name = text(info.get('name'), 'info.name');
  const pieceLength = integer(info.get('piece length'), 'info.piece length');
  if (pieceLength <= 0) throw new InvalidTorrentError(`invalid piece length ${pieceLength}`);
  const v2 = info.get('meta version') === 2 && info.has('file tree');
  const v1 = info.has('pieces');
  if (!v1 && !v2) throw new InvalidTorrentError('the info dict has neither v1 pieces nor a v2 file tree');
  const format: TorrentFormat = v1 && v2 ? 'hybrid' : v2 ? 'v2' : 'v1';

  const files = v2 ? fileTreeEntries(asDict(info.get('file tree'), 'info.file tree'), []) : v1Files(info);
  const singleFile = v2 ? files.length === 1 && files[0]?.path.length === 1 && files[0].path[0] === name : !info.has('files');
  const pieces = v1 ? bytesOf(info.get('pieces'), 'info.pieces') : undefined;
  if (pieces && pieces.length % SHA1_LENGTH !== 0) throw new InvalidTorrentError('info.pieces is not a whole number of SHA-1 hashes');
  const content = files.filter((f) => !f.padding);
  const totalLength = content.reduce((sum, f) => sum + f.length, 0);
  const pieceCount = pieces ? pieces.length / SHA1_LENGTH : content.reduce((n, f) => n + Math.ceil(f.length / pieceLength), 0);

  const privateFlag = info.get('private');
  const source = info.get('source');
  return {
    format,
    name,
    pieceLength,
    totalLength,
    pieceCount,
    // A single-file torrent's one file is the torrent itself: it has no path below the name.
    files: singleFile ? files.map((f) => ({ ...f, path: [] })) : files,
    v1Files: v1 && info.has('files') ? (v2 ? v1Files(info) : files) : undefined,
    singleFile,
    pieces,
    pieceLayers: v2 ? pieceLayersOf(top.get('piece layers')) : new Map(),
    infoHashV1: v1 ? infoHashV1(rawInfo) : undefined,
    infoHashV2: v2 ? infoHashV2(rawInfo) : undefined,
    private: privateFlag === 1,
    source: source instanceof Uint8Array ? utf8(source) : undefined,
    trackers: trackersOf(top),
    webSeeds: webSeedsOf(top.get('url-list')),
    comment: optionalText(top.get('comment')),
    createdBy: optionalText(top.get('created by')),
    creationDate: typeof top.get('creation date') === 'number' ? new Date((top.get('creation date') as number) * 1000) : undefined,
    info: rawInfo,
  };
}

function v1Files(info: BDict): TorrentFileEntry[] {
  const list = info.get('files');
  if (list === undefined)
    return [{ path: [text(info.get('name'), 'info.name')], length: nonNegative(info.get('length'), 'info.length'), padding: false }];
  if (!Array.isArray(list)) throw new InvalidTorrentError('info.files is not a list');
  return list.map((entry, i) => {
    const file = asDict(entry, `info.files[${i}]`);
    const path = file.get('path');
    if (!Array.isArray(path) || path.length === 0) throw new InvalidTorrentError(`info.files[${i}].path is not a list of strings`);
    const attr = file.get('attr');
    return {
      path: path.map((p, j) => text(p, `info.files[${i}].path[${j}]`)),
      length: nonNegative(file.get('length'), `info.files[${i}].length`),
      padding: attr instanceof Uint8Array && utf8(attr).includes('p'),
    };
  });
}

function fileTreeEntries(tree: BDict, path: string[]): TorrentFileEntry[] {
  const entries: TorrentFileEntry[] = [];
  for (const [key, node] of tree) {
    const child = asDict(node, 'a file tree node');
    const leaf = child.get('');
    if (key === '') continue;
    const here = [...path, latin1ToUtf8(key)];
    if (leaf !== undefined) {
      const file = asDict(leaf, `file ${here.join('/')}`);
      const root = file.get('pieces root');
      const length = nonNegative(file.get('length'), `length of ${here.join('/')}`);
      if (length > 0 && (!(root instanceof Uint8Array) || root.length !== SHA256_LENGTH)) {
        throw new InvalidTorrentError(`file ${here.join('/')} has no 32-byte pieces root`);
      }
      const attr = file.get('attr');
      entries.push({
        path: here,
        length,
        piecesRoot: length > 0 ? (root as Uint8Array) : undefined,
        padding: attr instanceof Uint8Array && utf8(attr).includes('p'),
      });
    } else {
      entries.push(...fileTreeEntries(child, here));
    }
  }
  return entries;
}

function pieceLayersOf(value: BDecoded | undefined): Map<string, Uint8Array> {
  const layers = new Map<string, Uint8Array>();
  if (value === undefined) return layers;
  for (const [root, layer] of asDict(value, 'piece layers')) {
    if (!(layer instanceof Uint8Array) || layer.length % SHA256_LENGTH !== 0)
      throw new InvalidTorrentError('a piece layer is not a whole number of SHA-256 hashes');
    layers.set(root, layer);
  }
  return layers;
}

function trackersOf(top: BDict): string[][] {
  const list = top.get('announce-list');
  if (Array.isArray(list)) {
    const tiers = list
      .map((tier) => (Array.isArray(tier) ? tier.filter((u): u is Uint8Array => u instanceof Uint8Array).map(utf8) : []))
      .filter((tier) => tier.length > 0);
    if (tiers.length > 0) return tiers;
  }
  const announce = top.get('announce');
  return announce instanceof Uint8Array && announce.length > 0 ? [[utf8(announce)]] : [];
}

function webSeedsOf(value: BDecoded | undefined): string[] {
  if (value instanceof Uint8Array) return value.length > 0 ? [utf8(value)] : [];
  return Array.isArray(value) ? value.filter((u): u is Uint8Array => u instanceof Uint8Array).map(utf8) : [];
}

function asDict(value: BDecoded | undefined, what: string): BDict {
  if (!(value instanceof Map)) throw new InvalidTorrentError(`${what} is missing or not a dictionary`);
  return value;
}

function bytesOf(value: BDecoded | undefined, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new InvalidTorrentError(`${what} is missing or not a string`);
  return value;
}

const text = (value: BDecoded | undefined, what: string) => utf8(bytesOf(value, what));
const optionalText = (value: BDecoded | undefined) => (value instanceof Uint8Array ? utf8(value) : undefined);

function integer(value: BDecoded | undefined, what: string): number {
  if (typeof value !== 'number') throw new InvalidTorrentError(`${what} is missing or not an integer`);
  return value;
}

function nonNegative(value: BDecoded | undefined, what: string): number {
  const n = integer(value, what);
  if (n < 0) throw new InvalidTorrentError(`${what} is negative`);
  return n;
}
