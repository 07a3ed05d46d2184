import { mapLimit } from '../core/map-limit';
import { entriesInRange, type FolderLayout } from '../core/folder-layout';
import { joinRangeHashes, ObjectHashesHasher, type HashKind, type ObjectHashes } from '../core/object-hashes';
import { PieceHasher } from '../core/piece-hasher';
import { pieceAlignedRanges, type ByteRange } from '../core/ranges';
import { hashRangesInParallel, readAndHash } from '../torrents/hash-object';

/** Something whose bytes can be read by range: an S3 object pinned to its ETag, a local file. */
export interface RangeReader {
  readonly size: number;
  read(range: ByteRange): AsyncIterable<Uint8Array>;
}

export interface HashObjectsOptions {
  /** Reads in flight at once, across all objects. */
  readonly concurrency?: number;
  /** Bytes per read, rounded down to whole pieces. */
  readonly rangeBytes?: number;
  /** Total bytes hashed so far. */
  readonly onProgress?: (bytesHashed: number) => void;
}

const DEFAULT_CONCURRENCY = 8;
const DEFAULT_RANGE_BYTES = 16 * 1024 * 1024;

/**
 * The hashes of many objects at one piece length. Every object is cut into piece-aligned ranges
 * and all the ranges of all the objects share one pool of `concurrency` reads, so a thousand small
 * objects and one large one keep the same number of reads busy.
 */
export async function hashObjects(
  readers: readonly RangeReader[],
  pieceLength: number,
  kinds: readonly HashKind[],
  options: HashObjectsOptions = {},
): Promise<ObjectHashes[]> {
  const tasks = readers.flatMap((reader, object) =>
    pieceAlignedRanges(reader.size, pieceLength, options.rangeBytes ?? DEFAULT_RANGE_BYTES).map((range) => ({ object, range })),
  );
  let bytesHashed = 0;
  const parts = await mapLimit(tasks, options.concurrency ?? DEFAULT_CONCURRENCY, ({ object, range }) =>
    readAndHash(
      (r) => (readers[object] as RangeReader).read(r),
      range,
      () => new ObjectHashesHasher(pieceLength, kinds),
      (bytes) => {
        bytesHashed += bytes;
        options.onProgress?.(bytesHashed);
      },
    ),
  );
  let at = 0;
  return readers.map((reader) => {
    const count = pieceAlignedRanges(reader.size, pieceLength, options.rangeBytes ?? DEFAULT_RANGE_BYTES).length;
    const mine = parts.slice(at, at + count);
    at += count;
    // An empty object has no ranges and no pieces: hashes of nothing, of every kind asked.
    return count === 0
      ? { size: 0, pieceLength, ...Object.fromEntries(kinds.map((k) => [k, new Uint8Array(0)])) }
      : joinRangeHashes(reader.size, pieceLength, mine);
  });
}

/**
 * The v1 pieces of a folder read as its files end to end, pad files as zeros: how a torrent
 * without padding (mktorrent's layout, where pieces straddle files) is hashed, and how any v1
 * folder torrent is checked. Piece-aligned ranges of the whole are read in parallel. `readers`
 * follow `layout.files`.
 */
export async function hashFolderEndToEnd(
  layout: FolderLayout,
  readers: readonly RangeReader[],
  options: HashObjectsOptions = {},
): Promise<Uint8Array> {
  const readerOf = new Map(layout.files.map((file, i) => [file, readers[i] as RangeReader]));
  const read = async function* (range: ByteRange): AsyncIterable<Uint8Array> {
    for (const span of entriesInRange(layout, range.start, range.end)) {
      if (span.entry.padding) yield* zeros(span.end - span.start);
      else yield* (readerOf.get(span.entry) as RangeReader).read({ start: span.start, end: span.end });
    }
  };
  const parts = await hashRangesInParallel(
    read,
    { start: 0, end: layout.totalLength },
    layout.pieceLength,
    () => new PieceHasher(layout.pieceLength),
    {
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      rangeBytes: options.rangeBytes ?? DEFAULT_RANGE_BYTES,
      onProgress: (p) => options.onProgress?.(p.bytesHashed),
    },
  );
  return Buffer.concat(parts);
}

const ZEROS = new Uint8Array(1024 * 1024);

function* zeros(length: number): Iterable<Uint8Array> {
  for (let left = length; left > 0; left -= ZEROS.length) yield ZEROS.subarray(0, Math.min(left, ZEROS.length));
}
