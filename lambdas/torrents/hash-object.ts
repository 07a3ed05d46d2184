import { concatPieceHashes, TorrentPieceHasher, type PieceHashes, type TorrentFormat } from '../core/build-info';
import { PieceHasher } from '../core/piece-hasher';
import { pieceAlignedRanges, type ByteRange } from '../core/ranges';
import type { ObjectHead, ObjectStore } from '../ports/object-store';
import { ServiceError } from '../http/errors';

export interface HashProgress {
  readonly bytesHashed: number;
  readonly totalBytes: number;
}

export interface HashOptions {
  /** Ranged GETs in flight at once. */
  readonly concurrency?: number;
  /** Bytes per ranged GET, rounded down to whole pieces (at least one piece). */
  readonly rangeBytes?: number;
  readonly onProgress?: (progress: HashProgress) => void;
}

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_RANGE_BYTES = 16 * 1024 * 1024;
/** A connection dropped mid-body is not retried by the SDK; a range is re-read from its start. */
const RANGE_ATTEMPTS = 3;

/** Something that hashes a stream of chunks: `PieceHasher`, `TorrentPieceHasher`... */
export interface RangeHasher<T> {
  update(chunk: Uint8Array): void;
  digest(): T;
  readonly bytesHashed: number;
}

/**
 * SHA-1 piece hashes of a byte range of an object (the whole object by default), read with
 * several ranged GETs in parallel, each pinned to the identity in `head`. The range must start on
 * a piece boundary. Memory is the hashes plus the SDK's stream buffers, whatever the object size.
 */
export async function hashObjectPieces(
  store: ObjectStore,
  head: ObjectHead,
  pieceLength: number,
  span: ByteRange = { start: 0, end: head.size },
  options: HashOptions = {},
): Promise<Uint8Array> {
  const parts = await hashRangesInParallel(
    (range) => store.readRange(head, range),
    span,
    pieceLength,
    () => new PieceHasher(pieceLength),
    options,
  );
  return Buffer.concat(parts);
}

/** v1 and/or v2 piece hashes of a byte range of an object, as `hashObjectPieces` reads it. */
export async function hashObject(
  store: ObjectStore,
  head: ObjectHead,
  pieceLength: number,
  format: TorrentFormat,
  span: ByteRange = { start: 0, end: head.size },
  options: HashOptions = {},
): Promise<PieceHashes> {
  const newHasher = () => new TorrentPieceHasher(pieceLength, format);
  return concatPieceHashes(await hashRangesInParallel((range) => store.readRange(head, range), span, pieceLength, newHasher, options));
}

/**
 * Reads one range and hashes it, reading it again from its start (up to RANGE_ATTEMPTS times) when
 * the connection drops; `onBytes` counts bytes hashed, negative when a failed attempt is taken back.
 * ServiceErrors (the object changed, access denied...) are answers, not glitches: never retried.
 */
export async function readAndHash<T>(
  read: (range: ByteRange) => AsyncIterable<Uint8Array>,
  range: ByteRange,
  newHasher: () => RangeHasher<T>,
  onBytes: (bytes: number) => void = () => {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const hasher = newHasher();
    try {
      for await (const chunk of read(range)) {
        hasher.update(chunk);
        onBytes(chunk.length);
      }
      return hasher.digest();
    } catch (err) {
      onBytes(-hasher.bytesHashed);
      if (err instanceof ServiceError || attempt >= RANGE_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

/**
 * Splits `span` (starting on a piece boundary) into piece-aligned ranges, reads and hashes them
 * with `concurrency` reads in flight, and returns each range's digest in order. Any source of
 * ranged reads will do: an object store, an HTTP server answering Range requests.
 */
export async function hashRangesInParallel<T>(
  read: (range: ByteRange) => AsyncIterable<Uint8Array>,
  span: ByteRange,
  pieceLength: number,
  newHasher: () => RangeHasher<T>,
  options: HashOptions = {},
): Promise<T[]> {
  if (span.start % pieceLength !== 0) throw new RangeError(`range start ${span.start} is not on a piece boundary`);
  const ranges = pieceAlignedRanges(span.end - span.start, pieceLength, options.rangeBytes ?? DEFAULT_RANGE_BYTES).map((r) => ({
    start: r.start + span.start,
    end: r.end + span.start,
  }));
  const results: T[] = new Array(ranges.length);
  let next = 0;
  let bytesHashed = 0;
  const totalBytes = span.end - span.start;

  const worker = async () => {
    while (next < ranges.length) {
      const index = next++;
      results[index] = await readAndHash(read, ranges[index] as ByteRange, newHasher, (bytes) => {
        bytesHashed += bytes;
        options.onProgress?.({ bytesHashed, totalBytes });
      });
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, ranges.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
