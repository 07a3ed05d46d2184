import { readSync } from 'node:fs';
import type { ByteRange } from '../lambdas/core/ranges';
import type { RangeHasher } from '../lambdas/torrents/hash-object';

/** Bytes per read: big enough to keep syscalls cheap, small enough to stay in the CPU cache while hashed. */
export const READ_BYTES = 512 * 1024;

export class FileChangedError extends Error {
  constructor(path: string) {
    super(`${path} changed while it was being hashed`);
    this.name = 'FileChangedError';
  }
}

/**
 * Feeds a byte range of an open file to a hasher through one reused buffer (so memory stays
 * flat), reporting bytes read as it goes. Used by the worker threads and, for small files, inline.
 */
export function hashFileRange<T>(
  fd: number,
  path: string,
  range: ByteRange,
  hasher: RangeHasher<T>,
  buffer: Buffer,
  onBytes: (bytes: number) => void,
): T {
  for (let position = range.start; position < range.end;) {
    const read = readSync(fd, buffer, 0, Math.min(buffer.length, range.end - position), position);
    if (read === 0) throw new FileChangedError(path); // it shrank under us
    hasher.update(buffer.subarray(0, read));
    position += read;
    onBytes(read);
  }
  return hasher.digest();
}
