import { availableParallelism } from 'node:os';
import { statSync } from 'node:fs';
import { buildInfo, type BuiltInfo, type TorrentFormat } from '../../lambdas/core/build-info';
import { magnetLink } from '../../lambdas/core/magnet';
import { MAX_PIECE_LENGTH, pieceLengthFor } from '../../lambdas/core/piece-length';
import { encodeTorrentFile } from '../../lambdas/core/torrent-file';
import { inputError, usageError } from '../errors';
import { integerOption, parseCommandLine, urlLists } from '../options';
import { assertWritable, writeOutput } from '../output';
import { formatBytes } from '../progress';
import { openSource } from '../sources/open-source';
import type { FolderSource } from '../sources/folder-source';
import { openLocalFolder } from '../sources/local-folder';
import type { S3Settings } from '../sources/s3-object';
import type { DataSource } from '../sources/source';
import { buildFolderTorrent } from './create-folder';
import { hashWithProgress } from './hashing';
import { CREATED_BY } from '../version';

export const CREATE_HELP = `Usage: s3-torrent create [options] <file | directory | s3://bucket/key | s3://bucket/prefix/ | https://url>

Makes a .torrent of a file or an object, or a multi-file .torrent of a directory or of every object
under an S3 prefix (the torrent the endpoint gives for ?torrent on that prefix). Options spelled
like mktorrent's do what mktorrent's do.

  -a, --announce <url>[,<url>]*  tracker URLs; a comma-separated list is one tier, each -a adds a tier
  -w, --web-seed <url>[,<url>]*  web seed URLs (BEP 19); may be repeated
  -o, --output <file>            where to write the torrent (default <name>.torrent; - for stdout)
  -f, --force                    overwrite the output file if it exists
  -l, --piece-length <n>         pieces of 2^n bytes, n from 14 (v2/hybrid) or 15 (v1) to 28;
                                 default: the smallest from 2^15 up giving at most 2,048 pieces
  -n, --name <name>              the torrent's name (default: the file name)
  -p, --private                  set the private flag (BEP 27)
  -s, --source <tag>             add a source tag (changes the infohash)
  -c, --comment <text>           add a comment
  -d, --no-date                  write no creation date (also: SOURCE_DATE_EPOCH sets it)
      --created-by <text>        the "created by" field (default "${CREATED_BY}")
      --v1 | --v2 | --hybrid     BitTorrent v1 (default), v2 only (BEP 52), or both in one torrent
      --padding <bep47|none>     folders: every file on a piece boundary, BEP 47 pad files between
                                 (default, libtorrent's layout), or none (v1 only: mktorrent's)
  -t, --threads <n>              hashing threads for a file, parallel requests for S3/HTTP
                                 (default: the number of CPU cores; 8 requests)
      --magnet                   print the magnet link on stdout
      --endpoint-url <url>       S3-compatible endpoint for s3:// (also AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)
      --region <region>          AWS region for s3:// (default: the SDK's configuration)
  -v, --verbose                  say what is being done
  -h, --help                     show this help`;

const MIN_EXPONENT = { v1: 15, v2: 14, hybrid: 14 } as const;
const DEFAULT_REMOTE_REQUESTS = 8;

export async function create(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    announce: { type: 'string', short: 'a', multiple: true },
    'web-seed': { type: 'string', short: 'w', multiple: true },
    output: { type: 'string', short: 'o' },
    force: { type: 'boolean', short: 'f' },
    'piece-length': { type: 'string', short: 'l' },
    name: { type: 'string', short: 'n' },
    private: { type: 'boolean', short: 'p' },
    source: { type: 'string', short: 's' },
    comment: { type: 'string', short: 'c' },
    'no-date': { type: 'boolean', short: 'd' },
    'created-by': { type: 'string' },
    v1: { type: 'boolean' },
    v2: { type: 'boolean' },
    hybrid: { type: 'boolean' },
    padding: { type: 'string' },
    threads: { type: 'string', short: 't' },
    magnet: { type: 'boolean' },
    'endpoint-url': { type: 'string' },
    region: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(CREATE_HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw usageError(`create takes one file, directory, s3:// or https:// URL (got ${positionals.length}); see s3-torrent create --help`);
  const location = positionals[0] as string;

  const formats = (['v1', 'v2', 'hybrid'] as const).filter((f) => values[f]);
  if (formats.length > 1) throw usageError(`choose one of --v1, --v2 and --hybrid, not ${formats.map((f) => `--${f}`).join(' and ')}`);
  const format: TorrentFormat = formats[0] ?? 'v1';
  const exponent = integerOption(values['piece-length'], '-l/--piece-length', MIN_EXPONENT[format], Math.log2(MAX_PIECE_LENGTH));
  const threads = integerOption(values.threads, '-t/--threads', 1, 256);
  const announceTiers = urlLists(values.announce, '-a/--announce', ['http', 'https', 'udp', 'ws', 'wss']);
  const webSeeds = urlLists(values['web-seed'], '-w/--web-seed', ['http', 'https', 'ftp']).flat();
  if (values.name !== undefined) assertFileName(values.name);
  if (values.magnet && values.output === '-') throw usageError('--magnet prints to stdout, where -o - writes the torrent: use one of them');
  if (format === 'v2' && webSeeds.some((url) => !url.endsWith('/'))) {
    console.error(
      's3-torrent: warning: libtorrent 2.0 appends the file name to the web seeds of v2-only torrents; ' +
        'a web seed for --v2 should be the URL of the directory holding the file, ending in /',
    );
  }
  const creationDate = values['no-date'] ? undefined : (sourceDateEpoch() ?? new Date());

  const s3Settings = {
    endpointUrl: values['endpoint-url'] ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL,
    region: values.region,
  };
  const verbose = (message: string) => values.verbose && console.error(message);
  const folder = await openFolderIfAny(location, s3Settings);
  if (folder === undefined && values.padding !== undefined)
    throw usageError('--padding is for folders (a directory or an s3://bucket/prefix/)');
  const padding = values.padding ?? 'bep47';
  if (padding !== 'bep47' && padding !== 'none') throw usageError(`--padding must be bep47 or none, got ${JSON.stringify(padding)}`);
  if (padding === 'none' && format !== 'v1')
    throw usageError('--padding none makes v1 torrents only (v2 and hybrid put every file on a piece boundary)');
  if (folder !== undefined && webSeeds.some((url) => !url.endsWith('/'))) {
    console.error(
      's3-torrent: warning: clients append the torrent`s name and each file`s path to the web seed of a folder (BEP 19); ' +
        'it should be the URL of the directory holding the folder, ending in /',
    );
  }
  const source = folder === undefined ? await openSource(location, s3Settings) : undefined;
  const label = (folder ?? source)!.label;
  const name = values.name ?? (folder ?? source)!.name;
  if (name === undefined) throw inputError(`${label} has no name to give the torrent: pass -n <name>`);
  if (source?.size === 0) throw inputError(`${source.label} is empty: a torrent cannot describe a zero-byte file`);
  const output = values.output ?? `${name}.torrent`;
  assertWritable(output, values.force ?? false);
  const hashThreads = threads ?? (location.includes('://') ? DEFAULT_REMOTE_REQUESTS : availableParallelism());

  let built: BuiltInfo;
  try {
    built =
      folder !== undefined
        ? await buildFolderTorrent(folder, {
            name,
            format,
            padding,
            exponent,
            threads: hashThreads,
            private: values.private,
            source: values.source,
            verbose,
          })
        : await buildFileTorrent(source!, {
            name,
            format,
            exponent,
            threads: hashThreads,
            private: values.private,
            source: values.source,
            verbose,
          });
  } finally {
    folder?.close?.();
  }
  const file = encodeTorrentFile({
    info: built.info,
    pieceLayers: built.pieceLayers,
    announceList: announceTiers,
    // One web seed is written as a plain string, several as a list: as mktorrent does.
    urlList: webSeeds.length === 1 ? webSeeds[0] : webSeeds,
    comment: values.comment,
    createdBy: values['created-by'] ?? CREATED_BY,
    creationDate,
  });
  writeOutput(output, file, values.force ?? false);
  const hex = (h?: Uint8Array) => h && Buffer.from(h).toString('hex');
  verbose(
    `wrote ${output}${built.infoHashV1 ? `, infohash v1 ${hex(built.infoHashV1)}` : ''}${built.infoHashV2 ? `, infohash v2 ${hex(built.infoHashV2)}` : ''}`,
  );
  if (values.magnet) {
    console.log(magnetLink({ infoHashV1: built.infoHashV1, infoHashV2: built.infoHashV2, name, trackers: announceTiers.flat(), webSeeds }));
  }
  return 0;
}

/** Hashes a file, object or URL and builds its single-file info dict. */
async function buildFileTorrent(
  source: DataSource,
  options: {
    name: string;
    format: TorrentFormat;
    exponent?: number;
    threads: number;
    private?: boolean;
    source?: string;
    verbose: (m: string) => void;
  },
): Promise<BuiltInfo> {
  const { format } = options;
  const pieceLength = options.exponent !== undefined ? 2 ** options.exponent : pieceLengthFor(source.size);
  options.verbose(
    `${source.label}: ${formatBytes(source.size)}, ${format}, ${Math.ceil(source.size / pieceLength)} pieces of ${formatBytes(pieceLength)}`,
  );
  const started = Date.now();
  const hashes = await hashWithProgress(source, { pieceLength, format, threads: options.threads });
  const seconds = (Date.now() - started) / 1000;
  options.verbose(`hashed in ${seconds.toFixed(2)} s (${formatBytes(source.size / Math.max(seconds, 0.001))}/s)`);
  return buildInfo({
    format,
    name: options.name,
    length: source.size,
    pieceLength,
    hashes,
    private: options.private,
    source: options.source,
  });
}

/** A directory, or `s3://bucket/prefix/` (ending in `/`): a folder; anything else is one file. */
async function openFolderIfAny(location: string, s3: S3Settings): Promise<(FolderSource & { close?(): void }) | undefined> {
  if (location.startsWith('s3://'))
    return location.endsWith('/')
      ? (require('../sources/s3-folder') as typeof import('../sources/s3-folder')).openS3Folder(location, s3)
      : undefined;
  if (location.includes('://')) return undefined;
  let directory = false;
  try {
    directory = statSync(location).isDirectory();
  } catch {
    return undefined; // openSource says why it cannot be read
  }
  return directory ? openLocalFolder(location) : undefined;
}

function assertFileName(name: string): void {
  if (name.length === 0 || name.includes('/') || name === '.' || name === '..')
    throw usageError(`-n/--name must be a file name, got ${JSON.stringify(name)}`);
}

/** The reproducible-builds convention: a fixed creation date from the environment. */
function sourceDateEpoch(): Date | undefined {
  const value = process.env.SOURCE_DATE_EPOCH;
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`SOURCE_DATE_EPOCH must be a number of seconds, got ${JSON.stringify(value)}`);
  return new Date(Number(value) * 1000);
}
