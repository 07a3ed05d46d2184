/**
 * How the files of a multi-file torrent are laid end to end, and where BEP 47 pad files go.
 *
 * Two layouts, each equal to a reference tool's for the same directory:
 * - `bep47` (libtorrent 2.0.8's `create_torrent`, the default of every folder torrent): files in
 *   path order compared element by element (`a/b` before `a.txt`), and after every non-empty file
 *   that does not end on a piece boundary a pad file `.pad/<size>` of zeros up to the next one, the
 *   last file included (libtorrent leaves only a torrent of one file unpadded). Every file then
 *   starts on a piece boundary, so its pieces depend on its own bytes alone: the hashes of an
 *   object can be computed once and reused by every torrent that contains it.
 * - `none` (mktorrent 1.1's multi-file torrent): files in the byte order of their full paths
 *   (`a.txt` before `a/b`, the order of an S3 listing), end to end; pieces straddle files.
 *
 * Paths compare as UTF-8 bytes (as strcmp and libtorrent's string compare do), not as JS strings.
 */
export type FolderPadding = 'bep47' | 'none';
export const FOLDER_PADDINGS: readonly FolderPadding[] = ['bep47', 'none'];

/** A file of a folder: its path below the torrent's name, one element per directory level. */
export interface FolderFile {
  readonly path: readonly string[];
  readonly length: number;
}

/** A file in the torrent, at its place in the layout. */
export interface LaidOutFile extends FolderFile {
  /** Its index in the list given to layOutFolder. */
  readonly source: number;
  /** Byte offset in the torrent (pad files included). */
  readonly offset: number;
  readonly padding: false;
}

/** A BEP 47 pad file: `attr` `p`, path `.pad/<length>`, zeros. */
export interface PadFile {
  readonly path: readonly ['.pad', string];
  readonly length: number;
  readonly offset: number;
  readonly padding: true;
}

export interface FolderLayout {
  readonly padding: FolderPadding;
  readonly pieceLength: number;
  /** The `files` list of a v1 or hybrid torrent, in order: content and pad files. */
  readonly entries: readonly (LaidOutFile | PadFile)[];
  /** The content files alone, in torrent order. */
  readonly files: readonly LaidOutFile[];
  /** Bytes of content. */
  readonly contentLength: number;
  /** Bytes the v1 pieces cover: content and padding. */
  readonly totalLength: number;
  readonly pieceCount: number;
}

/**
 * What a folder torrent may hold. Past any of these a request is refused as a whole (413 or 422):
 * a torrent never leaves out part of a folder.
 * - 10,000 files: a hybrid info dict of 10,000 files with 60-byte paths is about 3 MB, within
 *   what a Lambda response carries (6 MB, base64) and what clients load (libtorrent: 10 MB).
 * - 4 MiB of .torrent (info dict, piece layers and the rest), for the same reason.
 * - 255 bytes per path element (NAME_MAX of common file systems, where clients save files) and 50
 *   elements per path (libtorrent refuses bencode nested more than 100 deep; a v2 file tree nests
 *   two levels per element).
 */
export const FOLDER_LIMITS = {
  maxFiles: 10_000,
  maxTorrentBytes: 4 * 1024 * 1024,
  maxPathElementBytes: 255,
  maxPathElements: 50,
} as const;

export type FolderProblem =
  'TooManyFiles' | 'TorrentTooLarge' | 'InvalidPath' | 'PathTooLong' | 'PathConflict' | 'ReservedPath' | 'EmptyFolder';

/** A folder no torrent can describe as asked; `problem` is a stable code the edges map to HTTP. */
export class FolderLayoutError extends Error {
  constructor(
    readonly problem: FolderProblem,
    message: string,
  ) {
    super(message);
    this.name = 'FolderLayoutError';
  }
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** libtorrent's order: element by element, each compared as bytes; a prefix sorts first. */
export function compareTreePaths(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = Buffer.compare(utf8(a[i] as string), utf8(b[i] as string));
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** mktorrent's order: the full paths joined with `/`, compared as bytes (strcmp). */
export function compareJoinedPaths(a: readonly string[], b: readonly string[]): number {
  return Buffer.compare(utf8(a.join('/')), utf8(b.join('/')));
}

/**
 * Checks a folder's paths and lays its files out. Throws FolderLayoutError for paths no client
 * could save (empty, `.`, `..`, control characters, too long), for a path that is both a file and
 * a directory, for a top-level `.pad` under BEP 47 (it would collide with pad files), for too many
 * files, and for a folder with no content.
 */
export function layOutFolder(files: readonly FolderFile[], pieceLength: number, padding: FolderPadding): FolderLayout {
  if (files.length > FOLDER_LIMITS.maxFiles) {
    throw new FolderLayoutError('TooManyFiles', `a folder torrent holds at most ${FOLDER_LIMITS.maxFiles} files, this folder has more`);
  }
  for (const file of files) checkPath(file.path, padding);
  if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) throw new RangeError(`invalid piece length: ${pieceLength}`);
  const order = files.map((file, source) => ({ file, source }));
  const compare = padding === 'bep47' ? compareTreePaths : compareJoinedPaths;
  order.sort((x, y) => compare(x.file.path, y.file.path));
  checkConflicts(order.map((o) => o.file.path));

  const entries: (LaidOutFile | PadFile)[] = [];
  const laidOut: LaidOutFile[] = [];
  let offset = 0;
  let contentLength = 0;
  for (const { file, source } of order) {
    if (!Number.isSafeInteger(file.length) || file.length < 0) throw new RangeError(`invalid length of ${file.path.join('/')}`);
    const entry: LaidOutFile = { path: file.path, length: file.length, source, offset, padding: false };
    entries.push(entry);
    laidOut.push(entry);
    offset += file.length;
    contentLength += file.length;
    // libtorrent pads after every non-empty file that ends off a boundary, except in a torrent of one file.
    const tail = offset % pieceLength;
    if (padding === 'bep47' && files.length > 1 && file.length > 0 && tail !== 0) {
      const length = pieceLength - tail;
      entries.push({ path: ['.pad', String(length)], length, offset, padding: true });
      offset += length;
    }
  }
  if (contentLength === 0) throw new FolderLayoutError('EmptyFolder', 'the folder has no bytes to describe (no files, or only empty ones)');
  return {
    padding,
    pieceLength,
    entries,
    files: laidOut,
    contentLength,
    totalLength: offset,
    pieceCount: Math.ceil(offset / pieceLength),
  };
}

/** Where each file's pieces start in the torrent's piece list (BEP 47 layout: every file on a boundary). */
export function firstPieceOf(layout: FolderLayout, file: LaidOutFile): number {
  return Math.floor(file.offset / layout.pieceLength);
}

function checkPath(path: readonly string[], padding: FolderPadding): void {
  const shown = JSON.stringify(path.join('/'));
  if (path.length === 0) throw new FolderLayoutError('InvalidPath', 'a file has an empty path');
  if (path.length > FOLDER_LIMITS.maxPathElements) {
    throw new FolderLayoutError('PathTooLong', `${shown} is nested more than ${FOLDER_LIMITS.maxPathElements} levels deep`);
  }
  for (const element of path) {
    if (element.length === 0 || element === '.' || element === '..' || element.includes('/')) {
      throw new FolderLayoutError('InvalidPath', `${shown} has an empty, "." or ".." path element, which no client can save`);
    }
    if (/[\u0000-\u001f\u007f]/.test(element)) throw new FolderLayoutError('InvalidPath', `${shown} has control characters`);
    if (utf8(element).length > FOLDER_LIMITS.maxPathElementBytes) {
      throw new FolderLayoutError('PathTooLong', `${shown} has a path element longer than ${FOLDER_LIMITS.maxPathElementBytes} bytes`);
    }
  }
  if (padding === 'bep47' && path[0] === '.pad') {
    throw new FolderLayoutError(
      'ReservedPath',
      `${shown} is in .pad/, where BEP 47 pad files go: only a torrent without padding can hold it`,
    );
  }
}

/** Two files with one path, or a file that is also a directory (`a` and `a/b`): no client can save both. */
function checkConflicts(sorted: readonly (readonly string[])[]): void {
  // In either order, a file's descendants or twin are not always adjacent (`a`, `a.txt`, `a/b`
  // in byte order), so look paths up by their joined form.
  const seen = new Set<string>();
  for (const path of sorted) {
    const joined = path.join('/');
    if (seen.has(joined)) throw new FolderLayoutError('PathConflict', `${JSON.stringify(joined)} appears twice`);
    seen.add(joined);
  }
  for (const path of sorted) {
    for (let depth = 1; depth < path.length; depth++) {
      const ancestor = path.slice(0, depth).join('/');
      if (seen.has(ancestor)) {
        throw new FolderLayoutError('PathConflict', `${JSON.stringify(ancestor)} is both a file and a directory`);
      }
    }
  }
}

/** A part of one layout entry: bytes [start, end) of it. */
export interface EntrySpan {
  readonly entry: LaidOutFile | PadFile;
  readonly start: number;
  readonly end: number;
}

/**
 * The entries (and the bytes of each) that the torrent's bytes [start, end) fall on, in order:
 * how a piece that straddles files, or a range of pieces, is read from them. Empty files take no
 * bytes and never appear.
 */
export function entriesInRange(layout: FolderLayout, start: number, end: number): EntrySpan[] {
  if (start < 0 || end > layout.totalLength || start > end) throw new RangeError(`range ${start}-${end} is outside the torrent`);
  const spans: EntrySpan[] = [];
  const entries = layout.entries;
  // Binary search for the first entry that ends after `start`.
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = entries[mid] as LaidOutFile | PadFile;
    if (e.offset + e.length <= start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < entries.length; i++) {
    const entry = entries[i] as LaidOutFile | PadFile;
    if (entry.offset >= end) break;
    if (entry.length === 0) continue;
    spans.push({
      entry,
      start: Math.max(start, entry.offset) - entry.offset,
      end: Math.min(end, entry.offset + entry.length) - entry.offset,
    });
  }
  return spans;
}
