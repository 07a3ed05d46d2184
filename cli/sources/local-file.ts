import { closeSync, openSync, statSync, type Stats } from 'node:fs';
import { basename } from 'node:path';
import { inputError } from '../errors';
import { FileChangedError } from '../file-ranges';
import { hashFile } from '../hash-file';
import type { DataSource, HashRequest } from './source';

export function openLocalFile(path: string): DataSource {
  const before = statOrFail(path);
  if (before.isDirectory()) throw inputError(`${path} is a directory: not a file`);
  if (!before.isFile()) throw inputError(`${path} is not a regular file`);
  try {
    closeSync(openSync(path, 'r')); // unreadable files fail now, not after the options are all checked
  } catch (err) {
    throw inputError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return {
    label: path,
    name: basename(path),
    size: before.size,
    async hash(request: HashRequest) {
      try {
        const hashes = await hashFile(path, before.size, request);
        // A file rewritten in place keeps its size: its modification time tells.
        const after = statOrFail(path);
        if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) throw new FileChangedError(path);
        return hashes;
      } catch (err) {
        if (err instanceof FileChangedError) throw inputError(err.message);
        if ((err as NodeJS.ErrnoException).code !== undefined) throw inputError(`cannot read ${path}: ${(err as Error).message}`);
        throw err;
      }
    },
  };
}

function statOrFail(path: string): Stats {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw inputError(`cannot read ${path}: ${reason}`);
  }
}
