import { existsSync, linkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EXIT, outputError } from './errors';

const cleanups = new Set<() => void>();
let handlersInstalled = false;

/**
 * Ctrl-C and SIGTERM end the program at once (workers and requests die with it) after running the
 * registered cleanups, which remove any half-written output: an interrupted run leaves nothing.
 */
export function exitCleanlyOnSignals(beforeExit: () => void = () => {}): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const stop = (code: number) => () => {
    beforeExit();
    for (const cleanup of cleanups) cleanup();
    process.exit(code);
  };
  process.once('SIGINT', stop(EXIT.SIGINT));
  process.once('SIGTERM', stop(EXIT.SIGTERM));
}

/** Fails early, before any hashing, when the output exists and may not be replaced. */
export function assertWritable(path: string, force: boolean): void {
  if (path !== '-' && !force && existsSync(path)) throw outputError(`${path} already exists (use -f to overwrite it)`);
  if (path !== '-' && !existsSync(dirname(path) || '.')) throw outputError(`cannot write ${path}: no such directory`);
}

/**
 * Writes a file whole or not at all: into a temporary file beside it, then moved into place. Without
 * `force` the move is a hard link, which fails rather than replace a file that appeared meanwhile.
 * `-` writes to standard output.
 */
export function writeOutput(path: string, bytes: Uint8Array, force: boolean): void {
  if (path === '-') {
    process.stdout.write(bytes);
    return;
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  const cleanup = () => rmSync(temp, { force: true });
  cleanups.add(cleanup);
  try {
    writeFileSync(temp, bytes, { flag: 'wx' });
    if (force) {
      renameSync(temp, path);
    } else {
      moveWithoutReplacing(temp, path);
    }
  } catch (err) {
    cleanup();
    const code = (err as NodeJS.ErrnoException).code;
    throw outputError(
      code === 'EEXIST' ? `${path} already exists (use -f to overwrite it)` : `cannot write ${path}: ${(err as Error).message}`,
    );
  } finally {
    cleanups.delete(cleanup);
  }
}

function moveWithoutReplacing(temp: string, path: string): void {
  try {
    linkSync(temp, path);
    rmSync(temp);
  } catch (err) {
    // Some file systems have no hard links: check, then move (a narrow race, but still no clobbering in practice).
    if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    if (existsSync(path)) throw Object.assign(new Error(`${path} exists`), { code: 'EEXIST' });
    renameSync(temp, path);
  }
}
