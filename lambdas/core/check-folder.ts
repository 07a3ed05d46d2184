import { hasV1, hasV2 } from './build-info';
import type { FolderLayout, LaidOutFile, PadFile } from './folder-layout';
import { SHA256_LENGTH, v2FileHashes } from './merkle';
import type { TorrentMetainfo } from './metainfo';
import { SHA1_LENGTH } from './piece-hasher';

/**
 * The layout a multi-file torrent describes, as written (its own order and pad files, whoever
 * made it), so its files can be read end to end and checked piece by piece. `files` are the
 * torrent's content files in order; `source` is each one's index among them.
 */
export function layoutOfTorrent(meta: TorrentMetainfo): FolderLayout {
  const entries: (LaidOutFile | PadFile)[] = [];
  const files: LaidOutFile[] = [];
  let offset = 0;
  for (const f of meta.v1Files ?? meta.files) {
    if (f.padding) {
      entries.push({ path: ['.pad', String(f.length)], length: f.length, offset, padding: true });
    } else {
      const file: LaidOutFile = { path: f.path, length: f.length, offset, source: files.length, padding: false };
      entries.push(file);
      files.push(file);
    }
    offset += f.length;
  }
  return {
    padding: entries.some((e) => e.padding) ? 'bep47' : 'none',
    pieceLength: meta.pieceLength,
    entries,
    files,
    contentLength: meta.totalLength,
    totalLength: offset,
    pieceCount: Math.ceil(offset / meta.pieceLength),
  };
}

export interface FolderCheck {
  /** v1: indexes of pieces whose data does not match. */
  readonly badPieces: readonly number[];
  /** Content files (paths below the torrent's name, joined with `/`) with data that does not match, by either hash. */
  readonly badFiles: readonly string[];
  readonly pieceCount: number;
}

/**
 * Compares a folder's hashes with a multi-file torrent's: v1 piece by piece over the files end to
 * end (`v1Pieces`, pad files as zeros), v2 file by file (`v2Roots`: each content file's piece roots,
 * in `layoutOfTorrent(meta).files` order; undefined for a file that is missing or of another size,
 * which then counts as bad). A hybrid torrent is checked both ways.
 */
export function checkFolderPieces(
  meta: TorrentMetainfo,
  computed: { v1Pieces?: Uint8Array; v2Roots?: readonly (Uint8Array | undefined)[] },
): FolderCheck {
  const layout = layoutOfTorrent(meta);
  const badPieces = new Set<number>();
  const badFiles = new Set<string>();
  if (hasV1(meta.format) && meta.pieces !== undefined) {
    const actual = computed.v1Pieces;
    if (actual === undefined) throw new RangeError('v1 piece hashes were not computed');
    for (let i = 0; i < layout.pieceCount; i++) {
      const a = meta.pieces.subarray(i * SHA1_LENGTH, (i + 1) * SHA1_LENGTH);
      const b = actual.subarray(i * SHA1_LENGTH, (i + 1) * SHA1_LENGTH);
      if (b.length !== SHA1_LENGTH || !Buffer.from(a).equals(Buffer.from(b))) badPieces.add(i);
    }
    for (const file of layout.files) {
      const first = Math.floor(file.offset / layout.pieceLength);
      const last = Math.ceil((file.offset + file.length) / layout.pieceLength);
      for (let p = first; p < last; p++) if (badPieces.has(p)) badFiles.add(file.path.join('/'));
    }
  }
  if (hasV2(meta.format)) {
    const byPath = new Map(meta.files.filter((f) => !f.padding).map((f) => [f.path.join('/'), f]));
    layout.files.forEach((file, i) => {
      const entry = byPath.get(file.path.join('/'));
      if (file.length === 0 || entry?.piecesRoot === undefined) return;
      const roots = computed.v2Roots?.[i];
      if (roots === undefined || roots.length !== Math.ceil(file.length / layout.pieceLength) * SHA256_LENGTH) {
        badFiles.add(file.path.join('/'));
        return;
      }
      const ours = v2FileHashes(roots, layout.pieceLength, file.length);
      if (!Buffer.from(ours.piecesRoot).equals(Buffer.from(entry.piecesRoot))) badFiles.add(file.path.join('/'));
    });
  }
  return { badPieces: [...badPieces].sort((a, b) => a - b), badFiles: [...badFiles].sort(), pieceCount: meta.pieceCount };
}
