import { readSync } from 'node:fs';
import type { ByteRange } from '../lambdas/core/ranges';

/** Bytes per read: big enough to keep syscalls cheap, small enough to stay in the CPU cache while hashed. */
export const READ_BYTES = 512 * 1024;

export class FileChangedError extends Error {
  constructor(readonly path: string) {
    super(`${path} changed while it was being hashed`);
    this.name = 'FileChangedError';
  }
}

/** A part of what one hashing task feeds its hasher: a byte range of a file, or (no path) that many zeros, a BEP 47 pad file. */
export interface Segment extends ByteRange {
  readonly path?: string;
}

/** Anything fed bytes: a piece hasher. */
export interface ByteSink {
  update(chunk: Uint8Array): void;
}

/**
 * Feeds a byte range of an open file to a hasher through one reused buffer (so memory stays
 * flat), reporting bytes read as it goes. Used by the worker threads and, for small inputs, inline.
 */
export function feedFileRange(
  fd: number,
  path: string,
  range: ByteRange,
  hasher: ByteSink,
  buffer: Buffer,
  onBytes: (bytes: number) => void,
): void {
  for (let position = range.start; position < range.end;) {
    const read = readSync(fd, buffer, 0, Math.min(buffer.length, range.end - position), position);
    if (read === 0) throw new FileChangedError(path); // it shrank under us
    hasher.update(buffer.subarray(0, read));
    position += read;
    onBytes(read);
  }
}

/** Feeds `length` zeros. */
export function feedZeros(length: number, hasher: ByteSink, zeros: Buffer): void {
  zeros.fill(0);
  for (let left = length; left > 0; left -= zeros.length) hasher.update(zeros.subarray(0, Math.min(left, zeros.length)));
}

/** Open file descriptors by path, a bounded number at a time (a folder may have thousands of files). */
export class OpenFiles {
  private readonly fds = new Map<string, number>();
  constructor(
    private readonly open: (path: string) => number,
    private readonly close: (fd: number) => void,
    private readonly limit = 32,
  ) {}

  fd(path: string): number {
    let fd = this.fds.get(path);
    if (fd === undefined) {
      if (this.fds.size >= this.limit) this.closeAll();
      fd = this.open(path);
      this.fds.set(path, fd);
    }
    return fd;
  }

  closeAll(): void {
    for (const fd of this.fds.values()) this.close(fd);
    this.fds.clear();
  }
}
