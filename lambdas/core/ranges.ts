/** A half-open byte range [start, end) of an object. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Splits an object into consecutive ranges that start on piece boundaries, each a whole number of
 * pieces (the last one may be shorter). Hashing each range on its own and concatenating the results
 * in order gives the same piece list as hashing the object in one pass.
 */
export function pieceAlignedRanges(size: number, pieceLength: number, targetRangeBytes: number): ByteRange[] {
  if (size <= 0) return [];
  const piecesPerRange = Math.max(1, Math.floor(targetRangeBytes / pieceLength));
  const rangeBytes = piecesPerRange * pieceLength;
  const ranges: ByteRange[] = [];
  for (let start = 0; start < size; start += rangeBytes) ranges.push({ start, end: Math.min(start + rangeBytes, size) });
  return ranges;
}
