import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { checkPieces } from '../../lambdas/core/check-pieces';
import { EXIT, inputError, usageError } from '../errors';
import { integerOption, parseCommandLine } from '../options';
import { openSource } from '../sources/open-source';
import { hashWithProgress } from './hashing';
import { readTorrent } from './show';
import { verifyFolder } from './verify-folder';

export const VERIFY_HELP = `Usage: s3-torrent verify [options] <file.torrent> <file | directory | s3://bucket/key | s3://bucket/prefix/ | https://url>

Hashes the data again and compares it with the torrent: v1 pieces, v2 piece layers, or both for a
hybrid torrent. For a single-file torrent, a directory means the file named as the torrent inside
it; for a multi-file torrent, the folder named as the torrent inside it, or else the directory
itself (or every object under an s3:// prefix).
Exits 0 when every piece matches, 1 when some do not (they are listed).

  -t, --threads <n>         hashing threads for a file, parallel requests for S3/HTTP
      --endpoint-url <url>  S3-compatible endpoint for s3:// (also AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)
      --region <region>     AWS region for s3://
  -h, --help                show this help`;

export async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    threads: { type: 'string', short: 't' },
    'endpoint-url': { type: 'string' },
    region: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(VERIFY_HELP);
    return 0;
  }
  if (positionals.length !== 2) throw usageError('verify takes a .torrent file and the data to check; see s3-torrent verify --help');
  const [torrentPath, dataPath] = positionals as [string, string];
  const threads = integerOption(values.threads, '-t/--threads', 1, 256);
  const meta = readTorrent(torrentPath);
  const s3 = {
    endpointUrl: values['endpoint-url'] ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL,
    region: values.region,
  };
  if (!meta.singleFile)
    return verifyFolder(meta, dataPath, { threads: threads ?? (dataPath.includes('://') ? 8 : availableParallelism()), s3 });
  const file = meta.files[0]!;

  const location = !dataPath.includes('://') && isDirectory(dataPath) ? join(dataPath, meta.name) : dataPath;
  const source = await openSource(location, s3);
  if (source.size !== file.length) {
    console.log(`${source.label}: ${source.size} bytes, but the torrent describes ${file.length}: no match`);
    return EXIT.MISMATCH;
  }
  const hashes = await hashWithProgress(source, {
    pieceLength: meta.pieceLength,
    format: meta.format,
    threads: threads ?? (location.includes('://') ? 8 : availableParallelism()),
  });
  let check: ReturnType<typeof checkPieces>;
  try {
    check = checkPieces(meta, hashes);
  } catch (err) {
    throw inputError(`${torrentPath}: ${(err as Error).message}`);
  }
  if (check.badPieces.length === 0) {
    console.log(`${source.label}: all ${check.pieceCount} pieces match (${meta.format})`);
    return EXIT.OK;
  }
  console.log(`${source.label}: ${check.badPieces.length} of ${check.pieceCount} pieces do not match: ${pieceRanges(check.badPieces)}`);
  return EXIT.MISMATCH;
}

/** 1, 3, 4, 5, 9 -> "1, 3-5, 9" */
export function pieceRanges(pieces: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < pieces.length;) {
    let j = i;
    while (j + 1 < pieces.length && pieces[j + 1] === (pieces[j] as number) + 1) j++;
    parts.push(i === j ? `${pieces[i]}` : `${pieces[i]}-${pieces[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
