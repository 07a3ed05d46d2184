import { createHash } from 'node:crypto';
import { assertFolderTorrentFits, buildFolderInfo, buildFolderInfoFromObjects } from '../../lambdas/core/folder-info';
import {
  compareJoinedPaths,
  compareTreePaths,
  entriesInRange,
  FOLDER_LIMITS,
  FolderLayoutError,
  layOutFolder,
} from '../../lambdas/core/folder-layout';
import { bep47Pieces, joinRangeHashes, mergeObjectHashes, ObjectHashesHasher } from '../../lambdas/core/object-hashes';
import { hashPieces } from '../../lambdas/core/piece-hasher';
import { pieceAlignedRanges } from '../../lambdas/core/ranges';
import { testBytes } from '../support/service';

const KiB = 1024;
const files = (...specs: [string, number][]) => specs.map(([path, length]) => ({ path: path.split('/'), length }));
const paths = (layout: ReturnType<typeof layOutFolder>) => layout.entries.map((e) => `${e.path.join('/')}:${e.length}`);
const problemOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof FolderLayoutError ? err.problem : (err as Error).message;
  }
  return 'no error';
};

describe('layOutFolder', () => {
  it('orders paths element by element for BEP 47 (libtorrent) and as whole strings without padding (mktorrent)', () => {
    const folder = files(['a.txt', 1], ['a/b', 1], ['B', 1], ['a-b', 1]);
    expect(layOutFolder(folder, 16 * KiB, 'none').files.map((f) => f.path.join('/'))).toEqual(['B', 'a-b', 'a.txt', 'a/b']);
    expect(layOutFolder(folder, 16 * KiB, 'bep47').files.map((f) => f.path.join('/'))).toEqual(['B', 'a/b', 'a-b', 'a.txt']);
  });

  it('compares UTF-8 bytes, not UTF-16 code units', () => {
    // U+FB00 is EF AC 80 in UTF-8, U+1F600 is F0 9F 98 80; as JS strings the emoji sorts first.
    expect('😀' < 'ﬀ').toBe(true);
    expect(compareTreePaths(['ﬀ'], ['😀'])).toBeLessThan(0);
    expect(compareJoinedPaths(['ﬀ'], ['😀'])).toBeLessThan(0);
  });

  it('pads every non-empty file that ends off a piece boundary, the last included', () => {
    const layout = layOutFolder(files(['a', 10], ['b', 0], ['c', 16 * KiB], ['d', 5]), 16 * KiB, 'bep47');
    expect(paths(layout)).toEqual([
      'a:10',
      `.pad/${16 * KiB - 10}:${16 * KiB - 10}`,
      'b:0',
      `c:${16 * KiB}`,
      'd:5',
      `.pad/${16 * KiB - 5}:${16 * KiB - 5}`,
    ]);
    expect(layout.files.map((f) => f.offset)).toEqual([0, 16 * KiB, 16 * KiB, 32 * KiB]);
    expect(layout).toMatchObject({ contentLength: 16 * KiB + 15, totalLength: 48 * KiB, pieceCount: 3 });
  });

  it('leaves a folder of one file unpadded, and never pads without BEP 47', () => {
    expect(paths(layOutFolder(files(['only', 10]), 16 * KiB, 'bep47'))).toEqual(['only:10']);
    expect(paths(layOutFolder(files(['a', 10], ['b', 5]), 16 * KiB, 'none'))).toEqual(['a:10', 'b:5']);
  });

  it.each([
    ['a file that is also a directory', files(['a', 1], ['a/b', 1]), 'PathConflict'],
    ['the same path twice', files(['a/b', 1], ['a/b', 2]), 'PathConflict'],
    ['an empty path element', [{ path: ['a', '', 'b'], length: 1 }], 'InvalidPath'],
    ['a .. element', [{ path: ['..', 'b'], length: 1 }], 'InvalidPath'],
    ['a control character', [{ path: ['a\nb'], length: 1 }], 'InvalidPath'],
    ['a 256-byte element', [{ path: ['é'.repeat(128)], length: 1 }], 'PathTooLong'],
    ['51 levels', [{ path: Array.from({ length: 51 }, () => 'd'), length: 1 }], 'PathTooLong'],
    ['only empty files', files(['a', 0], ['b', 0]), 'EmptyFolder'],
    ['a top-level .pad directory', files(['.pad/1', 1], ['x', 1]), 'ReservedPath'],
  ])('refuses %s', (_label, folder, problem) => {
    expect(problemOf(() => layOutFolder(folder, 16 * KiB, 'bep47'))).toBe(problem);
  });

  it('allows .pad/ without padding, and deeper .pad directories everywhere', () => {
    expect(problemOf(() => layOutFolder(files(['.pad/1', 1]), 16 * KiB, 'none'))).toBe('no error');
    expect(problemOf(() => layOutFolder(files(['x/.pad/1', 1], ['y', 1]), 16 * KiB, 'bep47'))).toBe('no error');
  });

  it(`refuses more than ${FOLDER_LIMITS.maxFiles} files`, () => {
    const many = Array.from({ length: FOLDER_LIMITS.maxFiles + 1 }, (_, i) => ({ path: [`f${i}`], length: 1 }));
    expect(problemOf(() => layOutFolder(many, 16 * KiB, 'bep47'))).toBe('TooManyFiles');
    expect(problemOf(() => layOutFolder(many.slice(1), 16 * KiB, 'bep47'))).toBe('no error');
  });

  it('finds the entries a byte range of the torrent falls on', () => {
    const layout = layOutFolder(files(['a', 10], ['b', 0], ['c', 20]), 16, 'none');
    expect(entriesInRange(layout, 5, 16).map((s) => [s.entry.path.join('/'), s.start, s.end])).toEqual([
      ['a', 5, 10],
      ['c', 0, 6],
    ]);
    const padded = layOutFolder(files(['a', 10], ['c', 20]), 16, 'bep47');
    expect(entriesInRange(padded, 8, 20).map((s) => [s.entry.path.join('/'), s.start, s.end])).toEqual([
      ['a', 8, 10],
      ['.pad/6', 0, 6],
      ['c', 0, 4],
    ]);
  });
});

describe('folder info dicts', () => {
  it(`refuses, before any hashing, a folder whose torrent would pass ${FOLDER_LIMITS.maxTorrentBytes} bytes`, () => {
    const longNames = Array.from({ length: 9000 }, (_, i) => ({ path: [`${i}-${'x'.repeat(240)}`], length: 1 }));
    const layout = layOutFolder(longNames, 16 * KiB, 'bep47');
    expect(problemOf(() => assertFolderTorrentFits('hybrid', 'big', layout, 1000))).toBe('TorrentTooLarge');
    expect(problemOf(() => assertFolderTorrentFits('v1', 'big', layOutFolder(longNames.slice(0, 100), 16 * KiB, 'bep47'), 1000))).toBe(
      'no error',
    );
  });

  it('needs the BEP 47 layout for v2 and hybrid', () => {
    const layout = layOutFolder(files(['a', 10], ['b', 5]), 16 * KiB, 'none');
    expect(() => buildFolderInfo({ format: 'hybrid', name: 'x', layout, v1Pieces: new Uint8Array(20), v2PieceRoots: [] })).toThrow(
      /BEP 47/,
    );
  });

  it('refuses hashes of another size or piece length than the layout`s', () => {
    const layout = layOutFolder(files(['a', 10]), 16 * KiB, 'bep47');
    const hasher = new ObjectHashesHasher(32 * KiB, ['v1']);
    hasher.update(Buffer.alloc(10));
    const objects = [joinRangeHashes(10, 32 * KiB, [hasher.digest()])];
    expect(() => buildFolderInfoFromObjects({ format: 'v1', name: 'x', layout, objects })).toThrow(/piece length/);
  });
});

describe('object hashes', () => {
  const data = testBytes(100_000, 3);
  const pieceLength = 32 * KiB;

  it('are the same hashed in one pass or in piece-aligned ranges', () => {
    const whole = new ObjectHashesHasher(pieceLength, ['v1', 'v2']);
    whole.update(data);
    const parts = pieceAlignedRanges(data.length, pieceLength, 40_000).map((r) => {
      const h = new ObjectHashesHasher(pieceLength, ['v1', 'v2']);
      h.update(data.subarray(r.start, r.end));
      return h.digest();
    });
    expect(joinRangeHashes(data.length, pieceLength, parts)).toEqual(joinRangeHashes(data.length, pieceLength, [whole.digest()]));
  });

  it('give the single-file pieces and, for BEP 47, the last piece zero-filled', () => {
    const hasher = new ObjectHashesHasher(pieceLength, ['v1']);
    hasher.update(data);
    const hashes = joinRangeHashes(data.length, pieceLength, [hasher.digest()]);
    expect(Buffer.from(hashes.v1!)).toEqual(Buffer.from(hashPieces(data, pieceLength)));
    const zeroFilled = Buffer.concat([data, Buffer.alloc(4 * pieceLength - data.length)]);
    expect(Buffer.from(bep47Pieces(hashes))).toEqual(Buffer.from(hashPieces(zeroFilled, pieceLength)));
    expect(Buffer.from(hashes.v1PaddedTail!)).toEqual(
      createHash('sha1')
        .update(zeroFilled.subarray(3 * pieceLength))
        .digest(),
    );
  });

  it('have no zero-filled tail when the object ends on a piece boundary', () => {
    const hasher = new ObjectHashesHasher(pieceLength, ['v1']);
    hasher.update(data.subarray(0, 2 * pieceLength));
    expect(joinRangeHashes(2 * pieceLength, pieceLength, [hasher.digest()]).v1PaddedTail).toBeUndefined();
  });

  it('merge what two computations found', () => {
    const v1 = new ObjectHashesHasher(pieceLength, ['v1']);
    const v2 = new ObjectHashesHasher(pieceLength, ['v2']);
    v1.update(data);
    v2.update(data);
    const merged = mergeObjectHashes(
      joinRangeHashes(data.length, pieceLength, [v1.digest()]),
      joinRangeHashes(data.length, pieceLength, [v2.digest()]),
    );
    const both = new ObjectHashesHasher(pieceLength, ['v1', 'v2']);
    both.update(data);
    expect(merged).toEqual(joinRangeHashes(data.length, pieceLength, [both.digest()]));
  });
});
