import { join } from 'node:path';
import { run, type RunResult } from './programs';

export const CLI = join(__dirname, '../../bin/s3-torrent.cjs');

/** Runs `s3-torrent <args>` the way an installed bin runs it (node + the bin script), without blocking. */
export function runCli(args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], timeoutMs);
}
