import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TorrentPieceHasher, type TorrentFormat } from '../../lambdas/core/build-info';
import { hashFile } from '../../cli/hash-file';
import { testBytes } from '../support/service';

describe('hashFile (worker threads over piece-aligned ranges)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hash-file-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const reference = (data: Buffer, pieceLength: number, format: TorrentFormat) => {
    const hasher = new TorrentPieceHasher(pieceLength, format);
    hasher.update(data);
    return hasher.digest();
  };

  it.each([
    // size, piece length, threads: ranges of at least 4 MiB, so big enough files to give each thread several
    [9 * 1024 * 1024 + 5, 16 * 1024, 2],
    [12 * 1024 * 1024, 1024 * 1024, 3],
    [6 * 1024 * 1024 + 1, 4 * 1024 * 1024, 2],
  ])(
    '%d bytes in %d-byte pieces on %d threads equal one pass, for every format',
    async (size, pieceLength, threads) => {
      const data = testBytes(size, size);
      const path = join(dir, `f${size}`);
      writeFileSync(path, data);
      for (const format of ['v1', 'v2', 'hybrid'] as const) {
        let lastProgress = 0;
        const hashes = await hashFile(path, size, {
          pieceLength,
          format,
          threads,
          inlineBelowBytes: 0,
          onProgress: (done) => (lastProgress = done),
        });
        const expected = reference(data, pieceLength, format);
        expect(hashes.v1 && Buffer.from(hashes.v1)).toEqual(expected.v1 && Buffer.from(expected.v1));
        expect(hashes.v2 && Buffer.from(hashes.v2)).toEqual(expected.v2 && Buffer.from(expected.v2));
        expect(lastProgress).toBe(size);
      }
    },
    60_000,
  );

  it('hashes small files on the calling thread, with the same result', async () => {
    const data = testBytes(100_000, 3);
    const path = join(dir, 'small');
    writeFileSync(path, data);
    const hashes = await hashFile(path, data.length, { pieceLength: 32768, format: 'hybrid', threads: 2 });
    expect(Buffer.from(hashes.v2!)).toEqual(Buffer.from(reference(data, 32768, 'hybrid').v2!));
  });

  it('fails when the file is shorter than it was said to be (it shrank while hashed)', async () => {
    const path = join(dir, 'shrunk');
    writeFileSync(path, testBytes(5 * 1024 * 1024, 4));
    await expect(
      hashFile(path, 10 * 1024 * 1024, { pieceLength: 1024 * 1024, format: 'v1', threads: 2, inlineBelowBytes: 0 }),
    ).rejects.toThrow(/changed/);
  });
});
