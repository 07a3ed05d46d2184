import { statSync } from 'node:fs';
import { join } from 'node:path';
import { hasV1, hasV2 } from '../../lambdas/core/build-info';
import { checkFolderPieces, layoutOfTorrent } from '../../lambdas/core/check-folder';
import type { FolderLayout, LaidOutFile, PadFile } from '../../lambdas/core/folder-layout';
import type { TorrentMetainfo } from '../../lambdas/core/metainfo';
import { EXIT, inputError } from '../errors';
import { progressOn } from '../progress';
import type { FolderSource } from '../sources/folder-source';
import { openLocalFolder } from '../sources/local-folder';
import type { S3Settings } from '../sources/s3-object';
import { pieceRanges } from './verify';

/**
 * Checks a folder against a multi-file torrent: each file it names must be there with its length;
 * v1 pieces are checked over the files end to end (pad files as zeros), v2 hashes file by file,
 * both for a hybrid torrent. Files the torrent does not name are ignored (and counted).
 */
export async function verifyFolder(meta: TorrentMetainfo, dataPath: string, options: { threads: number; s3: S3Settings }): Promise<number> {
  const folder = await openFolder(meta, dataPath, options.s3);
  try {
    const here = new Map(folder.files.map((f, i) => [f.path.join('/'), i]));
    const torrentLayout = layoutOfTorrent(meta);
    // Each of the torrent's files, as an index into the folder's files, or undefined when it is missing or of another length.
    const found = torrentLayout.files.map((f) => {
      const i = here.get(f.path.join('/'));
      return i !== undefined && folder.files[i]?.length === f.length ? i : undefined;
    });
    const absent = torrentLayout.files.filter((_, i) => found[i] === undefined).map((f) => f.path.join('/'));
    const extra = folder.files.length - found.filter((i) => i !== undefined).length;
    const total = hasV1(meta.format) ? torrentLayout.totalLength : meta.totalLength;
    const progress = progressOn(process.stderr, total * (hasV1(meta.format) && hasV2(meta.format) ? 2 : 1));
    let done = 0;
    const request = (base: number) => ({
      pieceLength: meta.pieceLength,
      threads: options.threads,
      onProgress: (n: number) => progress.update((done = base + n)),
    });
    let v1Pieces: Uint8Array | undefined;
    let v2Roots: (Uint8Array | undefined)[] | undefined;
    try {
      if (hasV1(meta.format)) v1Pieces = await folder.hashEndToEnd(readableLayout(torrentLayout, found), request(0));
      if (hasV2(meta.format)) {
        const present = found.flatMap((i) => (i !== undefined && (folder.files[i]?.length ?? 0) > 0 ? [i] : []));
        const hashed = await folder.hashFiles({ ...request(done), kinds: ['v2'] }, present);
        const rootsOf = new Map(present.map((i, j) => [i, hashed[j]?.v2]));
        v2Roots = found.map((i) => (i === undefined ? undefined : rootsOf.get(i)));
      }
    } finally {
      progress.finish();
    }
    const check = checkFolderPieces(meta, { v1Pieces, v2Roots });
    const badFiles = [...new Set([...absent, ...check.badFiles])].sort();
    const note = extra > 0 ? ` (${extra} other file${extra === 1 ? '' : 's'} there, not in the torrent)` : '';
    if (badFiles.length === 0 && check.badPieces.length === 0) {
      console.log(`${folder.label}: all ${check.pieceCount} pieces of ${torrentLayout.files.length} files match (${meta.format})${note}`);
      return EXIT.OK;
    }
    for (const path of absent)
      console.log(`${path}: missing, or not ${torrentLayout.files.find((f) => f.path.join('/') === path)?.length} bytes long`);
    const pieces =
      check.badPieces.length > 0
        ? `${check.badPieces.length} of ${check.pieceCount} pieces do not match (${pieceRanges(check.badPieces)}); `
        : '';
    console.log(
      `${folder.label}: ${pieces}${badFiles.length} of ${torrentLayout.files.length} files do not match: ${badFiles.join(', ')}${note}`,
    );
    return EXIT.MISMATCH;
  } finally {
    (folder as { close?: () => void }).close?.();
  }
}

/** The torrent's layout with its files pointing at the folder's; files that are missing read as zeros (their pieces then fail). */
function readableLayout(layout: FolderLayout, found: readonly (number | undefined)[]): FolderLayout {
  const entries: (LaidOutFile | PadFile)[] = [];
  const files: LaidOutFile[] = [];
  let next = 0;
  for (const entry of layout.entries) {
    if (entry.padding) {
      entries.push(entry);
      continue;
    }
    const index = found[next++];
    if (index === undefined) {
      entries.push({ path: ['.pad', String(entry.length)], length: entry.length, offset: entry.offset, padding: true });
    } else {
      const file: LaidOutFile = { ...entry, source: index };
      entries.push(file);
      files.push(file);
    }
  }
  return { ...layout, entries, files };
}

/** The folder to check: `s3://bucket/prefix/`, or a directory holding the torrent's folder, or the folder itself. */
async function openFolder(meta: TorrentMetainfo, dataPath: string, s3: S3Settings): Promise<FolderSource> {
  if (dataPath.startsWith('s3://')) {
    if (!dataPath.endsWith('/')) throw inputError(`${dataPath}: a folder torrent is checked against s3://bucket/prefix/ (ending in /)`);
    return (require('../sources/s3-folder') as typeof import('../sources/s3-folder')).openS3Folder(dataPath, s3);
  }
  if (dataPath.includes('://')) throw inputError(`${dataPath}: a folder torrent is checked against a directory or an s3:// prefix`);
  const inside = join(dataPath, meta.name);
  if (isDirectory(inside)) return openLocalFolder(inside);
  if (isDirectory(dataPath)) return openLocalFolder(dataPath);
  throw inputError(`${dataPath} is not a directory: a folder torrent is checked against one`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
