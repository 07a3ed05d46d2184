import { PieceHasher } from '../core/piece-hasher';
import { pieceAlignedRanges, type ByteRange } from '../core/ranges';
import type { ObjectHead, ObjectStore } from '../ports/object-store';
import { ServiceError } from '../shared/errors';

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
  if (span.start % pieceLength !== 0) throw new RangeError(`range start ${span.start} is not on a piece boundary`);
  const ranges = pieceAlignedRanges(span.end - span.start, pieceLength, options.rangeBytes ?? DEFAULT_RANGE_BYTES).map(
    (r) => ({ start: r.start + span.start, end: r.end + span.start }),
  );
  const results: Uint8Array[] = new Array(ranges.length);
  let next = 0;
  let bytesHashed = 0;
  const totalBytes = span.end - span.start;

  const worker = async () => {
    while (next < ranges.length) {
      const index = next++;
      results[index] = await hashRange(ranges[index] as ByteRange);
    }
  };
  const hashRange = async (range: ByteRange): Promise<Uint8Array> => {
    for (let attempt = 1; ; attempt++) {
      const hasher = new PieceHasher(pieceLength);
      try {
        for await (const chunk of store.readRange(head, range)) {
          hasher.update(chunk);
          bytesHashed += chunk.length;
          options.onProgress?.({ bytesHashed, totalBytes });
        }
        return hasher.digest();
      } catch (err) {
        bytesHashed -= hasher.bytesHashed;
        // ServiceErrors (the object changed, access denied...) are answers, not glitches.
        if (err instanceof ServiceError || attempt >= RANGE_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, ranges.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return Buffer.concat(results);
}
