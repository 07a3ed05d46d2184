import { join } from 'node:path';
import { LOCAL_CREDENTIALS } from '../../local/s3';
import { run, type RunResult } from './programs';

export const CLI = join(__dirname, '../../bin/s3-torrent.cjs');

/** Runs `s3-torrent <args>` the way an installed bin runs it (node + the bin script), without blocking. */
export function runCli(args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], timeoutMs);
}

/** `s3-torrent <args>` with the S3 stand-in's credentials and a region in the environment (the SDK's default chain reads them). */
export function runCliWithLocalS3(args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
  return run(
    'env',
    [
      `AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId}`,
      `AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}`,
      'AWS_REGION=us-east-1',
      process.execPath,
      CLI,
      ...args,
    ],
    timeoutMs,
  );
}
