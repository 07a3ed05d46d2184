import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { entriesInRange, type FolderLayout } from '../../lambdas/core/folder-layout';
import { pieceAlignedRanges } from '../../lambdas/core/ranges';
import { inputError } from '../errors';
import { FileChangedError } from '../file-ranges';
import { hashFiles, hashTasks, taskBytesFor } from '../hash-file';
import type { FolderSource } from './folder-source';

interface LocalFile {
  readonly path: string[];
  readonly absolute: string;
  readonly stats: Stats;
}

/**
 * A local directory: every regular file below it, at any depth (hidden ones included, as
 * mktorrent and libtorrent take them). Symbolic links to files are followed; links to directories
 * are refused (they can loop) and so is anything else that is not a file or a directory.
 */
export function openLocalFolder(path: string): FolderSource {
  const root = resolve(path);
  const files = walk(root, []);
  const label = path;
  const current = () => files.map((f) => statOrFail(f.absolute));
  const assertUnchanged = () => {
    current().forEach((after, i) => {
      const before = (files[i] as LocalFile).stats;
      if (after.size !== before.size || after.mtimeMs !== before.mtimeMs)
        throw inputError(new FileChangedError((files[i] as LocalFile).absolute).message);
    });
  };
  const withChangeCheck = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work();
      assertUnchanged();
      return result;
    } catch (err) {
      if (err instanceof FileChangedError) throw inputError(err.message);
      if ((err as NodeJS.ErrnoException).code !== undefined) throw inputError(`cannot read ${label}: ${(err as Error).message}`);
      throw err;
    }
  };
  return {
    label,
    name: basename(root),
    files: files.map((f) => ({ path: f.path, length: f.stats.size })),
    hashFiles(request, only) {
      const chosen = (only ?? files.map((_, i) => i)).map((i) => files[i] as LocalFile);
      return withChangeCheck(() =>
        hashFiles(
          chosen.map((f) => ({ path: f.absolute, size: f.stats.size })),
          request,
        ),
      );
    },
    hashEndToEnd(layout: FolderLayout, request) {
      const absoluteOf = new Map(layout.files.map((f) => [f, (files[f.source] as LocalFile).absolute]));
      const tasks = pieceAlignedRanges(layout.totalLength, layout.pieceLength, taskBytesFor(layout.totalLength, request.threads)).map(
        (range) => ({
          segments: entriesInRange(layout, range.start, range.end).map((span) => ({
            path: span.entry.padding ? undefined : absoluteOf.get(span.entry),
            start: span.start,
            end: span.end,
          })),
        }),
      );
      return withChangeCheck(async () =>
        Buffer.concat((await hashTasks(tasks, { ...request, kinds: ['v1'] })).map((t) => t.v1 as Uint8Array)),
      );
    },
  };
}

function walk(directory: string, below: string[]): LocalFile[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (err) {
    throw inputError(`cannot read ${directory}: ${(err as Error).message}`);
  }
  const out: LocalFile[] = [];
  for (const name of names) {
    const absolute = join(directory, name);
    const path = [...below, name];
    const link = lstatSync(absolute);
    const stats = link.isSymbolicLink() ? statOrFail(absolute) : link;
    if (stats.isDirectory()) {
      if (link.isSymbolicLink()) throw inputError(`${absolute} is a link to a directory: s3-torrent does not follow those`);
      out.push(...walk(absolute, path));
    } else if (stats.isFile()) {
      out.push({ path, absolute, stats });
    } else {
      throw inputError(`${absolute} is neither a file nor a directory`);
    }
  }
  return out;
}

function statOrFail(path: string): Stats {
  try {
    return statSync(path);
  } catch (err) {
    throw inputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}
