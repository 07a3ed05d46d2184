import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TorrentFormat } from '../../lambdas/core/build-info';
import { buildFolderInfo, buildFolderInfoFromObjects } from '../../lambdas/core/folder-info';
import { layOutFolder, type FolderPadding } from '../../lambdas/core/folder-layout';
import { hashKindsOf, joinRangeHashes, ObjectHashesHasher } from '../../lambdas/core/object-hashes';
import { PieceHasher } from '../../lambdas/core/piece-hasher';
import { testBytes } from './service';

/** A file of a test folder: its path below the folder and its bytes. */
export interface TreeFile {
  readonly path: readonly string[];
  readonly data: Uint8Array;
}

/** Writes the files under `root` (created). */
export function writeTree(root: string, files: readonly TreeFile[]): void {
  for (const file of files) {
    const path = join(root, ...file.path);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, file.data);
  }
}

/** The info dict of a folder, hashed in memory with the core alone: the reference the service and the CLI are held to. */
export function referenceFolderInfo(
  name: string,
  files: readonly TreeFile[],
  pieceLength: number,
  format: TorrentFormat,
  padding: FolderPadding,
) {
  const layout = layOutFolder(
    files.map((f) => ({ path: f.path, length: f.data.length })),
    pieceLength,
    padding,
  );
  if (padding === 'none') {
    const hasher = new PieceHasher(pieceLength);
    for (const file of layout.files) hasher.update((files[file.source] as TreeFile).data);
    return buildFolderInfo({ format, name, layout, v1Pieces: hasher.digest() });
  }
  const objects = layout.files.map((file) => {
    const hasher = new ObjectHashesHasher(pieceLength, hashKindsOf(format));
    hasher.update((files[file.source] as TreeFile).data);
    return joinRangeHashes(file.length, pieceLength, [hasher.digest()]);
  });
  return buildFolderInfoFromObjects({ format, name, layout, objects });
}

// Names that sort differently element by element and as whole paths, upper and lower case,
// multi-byte UTF-8 (2, 3 and 4 bytes: JS strings compare 4-byte characters out of byte order),
// spaces and dots.
const NAMES = ['a', 'a.txt', 'a-b', 'A', 'B', 'b', 'é', '日本', '😀', 'ﬀ', 'x y', '~', '_', '0', '.hidden', 'a.b.c', 'ab'];

/** A pseudo-random folder (deterministic per seed): nested paths, sizes around piece boundaries, empty files. */
export function randomTree(seed: number, pieceLength: number, count: number): TreeFile[] {
  let state = (seed * 2654435761) >>> 0 || 1;
  const rand = (n: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return Math.floor((state / 2 ** 32) * n);
  };
  const sizes = [0, 1, pieceLength - 1, pieceLength, pieceLength + 1, 3 * pieceLength + 5, 16 * 1024 + 3, 100_000];
  const files: TreeFile[] = [];
  const taken = new Set<string>();
  for (let tries = 0; files.length < count && tries < count * 20; tries++) {
    const depth = rand(3);
    const path = Array.from({ length: depth + 1 }, () => NAMES[rand(NAMES.length)] as string);
    const joined = path.join('/');
    // A path may be a file or a directory, never both.
    const clash = [...taken].some((t) => t === joined || t.startsWith(`${joined}/`) || joined.startsWith(`${t}/`));
    if (clash) continue;
    taken.add(joined);
    files.push({ path, data: testBytes(sizes[rand(sizes.length)] as number, seed * 100 + files.length) });
  }
  if (files.every((f) => f.data.length === 0)) files.push({ path: ['nonempty'], data: testBytes(12_345, seed) });
  return files;
}
