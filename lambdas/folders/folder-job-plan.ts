import { bdecodeExact, bencode, type BDict, type BencodeValue } from '../core/bencode';
import { MAX_CHUNKS, MIN_CHUNK_BYTES } from '../core/chunk-plan';
import type { ObjectHashes } from '../core/object-hashes';
import type { FolderJobPlan } from '../ports/folder-job-plans';
import type { ListedObject } from '../ports/object-listing';

/** A piece-aligned range of one object to hash for some kinds. */
export interface WorkSegment {
  readonly object: number;
  readonly start: number;
  readonly end: number;
}

export interface FolderWork {
  /** Bytes per work item (a whole number of pieces). */
  readonly chunkBytes: number;
  /** Each item is one "Hash chunk" invocation: ranges of one large object, or several small objects whole. */
  readonly items: readonly (readonly WorkSegment[])[];
  readonly bytes: number;
}

/**
 * Splits a folder job into work items of about `chunkBytes` each: large objects are cut into
 * piece-aligned ranges, small ones are packed together, so a folder of a thousand small objects
 * is a few invocations rather than a thousand. The chunk rule is the single-object one's (at least
 * 256 MiB, at most 10,000 items), with room for packing. Deterministic: Plan and every Hash chunk
 * derive the same items from the same plan.
 */
export function planFolderWork(
  plan: FolderJobPlan,
  options: { minChunkBytes?: number; maxChunks?: number; chunkBytes?: number } = {},
): FolderWork {
  const sizes = plan.toHash.map((h) => (plan.objects[h.object] as ListedObject).size);
  const bytes = sizes.reduce((n, s) => n + s, 0);
  // Packing leaves items up to half empty: plan for half the item limit.
  const target = Math.max(options.minChunkBytes ?? MIN_CHUNK_BYTES, Math.ceil(bytes / Math.floor((options.maxChunks ?? MAX_CHUNKS) / 2)));
  const chunkBytes = options.chunkBytes ?? Math.ceil(target / plan.pieceLength) * plan.pieceLength;
  const items: WorkSegment[][] = [];
  let current: WorkSegment[] = [];
  let filled = 0;
  plan.toHash.forEach((h, i) => {
    for (let start = 0; start < (sizes[i] as number); start += chunkBytes) {
      const end = Math.min(start + chunkBytes, sizes[i] as number);
      if (filled > 0 && filled + (end - start) > chunkBytes) {
        items.push(current);
        current = [];
        filled = 0;
      }
      current.push({ object: h.object, start, end });
      filled += end - start;
    }
  });
  if (current.length > 0) items.push(current);
  return { chunkBytes, items, bytes };
}

/** The hashes of one segment, as a work item's result carries them. */
export type SegmentHashes = WorkSegment & Omit<ObjectHashes, 'size' | 'pieceLength'>;

/** A work item's result, bencoded: a list of `{o, s, e, v1?, t?, v2?}`. */
export function encodeSegmentHashes(segments: readonly SegmentHashes[]): Uint8Array {
  return bencode(
    segments.map((s): BencodeValue => {
      const entry: Record<string, BencodeValue | undefined> = { o: s.object, s: s.start, e: s.end, v1: s.v1, t: s.v1PaddedTail, v2: s.v2 };
      return entry;
    }),
  );
}

export function decodeSegmentHashes(bytes: Uint8Array): SegmentHashes[] {
  const list = bdecodeExact(bytes).value;
  if (!Array.isArray(list)) throw new Error('a folder chunk result is not a list');
  return list.map((entry) => {
    const d = entry as BDict;
    const bytesOf = (k: string) => (d.get(k) instanceof Uint8Array ? Uint8Array.from(d.get(k) as Uint8Array) : undefined);
    return {
      object: d.get('o') as number,
      start: d.get('s') as number,
      end: d.get('e') as number,
      v1: bytesOf('v1'),
      v1PaddedTail: bytesOf('t'),
      v2: bytesOf('v2'),
    };
  });
}
