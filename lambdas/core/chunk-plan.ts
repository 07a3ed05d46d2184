import { pieceCount } from './piece-length';
import type { ByteRange } from './ranges';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * How the hashing workflow splits a large object into chunks, one Lambda invocation each.
 *
 * A chunk is a whole number of pieces, at least MIN_CHUNK_BYTES, and large enough that an object
 * never has more than MAX_CHUNKS of them:
 *
 *   chunkBytes = roundUpToPieces(max(MIN_CHUNK_BYTES, size / MAX_CHUNKS))
 *
 * - 256 MiB minimum: a chunk costs an invocation, a few S3 requests and a job update; below about
 *   256 MiB that overhead (and a cold start) outweighs the hashing. 1 GiB -> 4 chunks, 100 GiB -> 400.
 * - 10,000 chunks maximum: the chunk list travels in the state as chunk numbers (`[0,1,...,9999]`,
 *   about 49 KB of JSON), well inside Step Functions' 256 KiB payload limit, and the Map's result
 *   (one `{}` per chunk, about 30 KB) too. Chunks start growing past 256 MiB above 2.44 TiB.
 * - S3's largest object, 48.8 TiB (10,000 parts of 5 GiB), gives 10,000 chunks of 5 GiB (20 pieces
 *   of 256 MiB). A one-vCPU Lambda hashes SHA-1 at well over 500 MB/s and reads S3 at 50-100+ MB/s
 *   with parallel ranged GETs; at a pessimistic 50 MiB/s a 5 GiB chunk takes about 100 s, and only
 *   below 5.7 MiB/s would it reach Lambda's 15 minutes.
 */
export const MIN_CHUNK_BYTES = 256 * MiB;
export const MAX_CHUNKS = 10_000;
/** S3's largest object: 10,000 multipart parts of 5 GiB. */
export const MAX_OBJECT_BYTES = 10_000 * 5 * GiB;

export interface ChunkPlan {
  readonly size: number;
  readonly pieceLength: number;
  readonly pieceCount: number;
  /** Bytes per chunk, a whole number of pieces; the last chunk may be shorter. */
  readonly chunkBytes: number;
  readonly chunkCount: number;
}

export interface ChunkPlanOptions {
  /** Overrides MIN_CHUNK_BYTES (tests and local runs use small chunks to exercise the fan-out). */
  readonly minChunkBytes?: number;
  /** Overrides MAX_CHUNKS. */
  readonly maxChunks?: number;
}

export function planChunks(size: number, pieceLength: number, options: ChunkPlanOptions = {}): ChunkPlan {
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`invalid object size: ${size}`);
  if (!Number.isSafeInteger(pieceLength) || pieceLength <= 0) throw new RangeError(`invalid piece length: ${pieceLength}`);
  const minChunkBytes = options.minChunkBytes ?? MIN_CHUNK_BYTES;
  const maxChunks = options.maxChunks ?? MAX_CHUNKS;
  if (!Number.isSafeInteger(minChunkBytes) || minChunkBytes <= 0) throw new RangeError(`invalid minimum chunk size: ${minChunkBytes}`);
  if (!Number.isSafeInteger(maxChunks) || maxChunks <= 0) throw new RangeError(`invalid chunk count limit: ${maxChunks}`);
  const target = Math.max(minChunkBytes, Math.ceil(size / maxChunks));
  const chunkBytes = Math.ceil(target / pieceLength) * pieceLength;
  return { size, pieceLength, pieceCount: pieceCount(size, pieceLength), chunkBytes, chunkCount: Math.ceil(size / chunkBytes) };
}

/** The byte range of chunk `index`: piece-aligned, so its piece hashes can be concatenated with the others'. */
export function chunkRange(plan: ChunkPlan, index: number): ByteRange {
  if (!Number.isInteger(index) || index < 0 || index >= plan.chunkCount) {
    throw new RangeError(`chunk ${index} is outside 0..${plan.chunkCount - 1}`);
  }
  const start = index * plan.chunkBytes;
  return { start, end: Math.min(start + plan.chunkBytes, plan.size) };
}

/** How many pieces (and so 20-byte hashes) chunk `index` holds. */
export function piecesInChunk(plan: ChunkPlan, index: number): number {
  const range = chunkRange(plan, index);
  return Math.ceil((range.end - range.start) / plan.pieceLength);
}
