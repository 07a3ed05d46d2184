import { readFileSync } from 'node:fs';
import { magnetLink } from '../../lambdas/core/magnet';
import { InvalidTorrentError, parseTorrentFile, type TorrentMetainfo } from '../../lambdas/core/metainfo';
import { inputError, usageError } from '../errors';
import { parseCommandLine } from '../options';
import { formatBytes } from '../progress';

export const SHOW_HELP = `Usage: s3-torrent show [--json] <file.torrent>

Prints what a torrent says: name, size, piece length and count, infohashes (v1 and v2), trackers,
web seeds and a magnet link. --json prints the same as one JSON object.`;

export function show(args: string[]): number {
  const { values, positionals } = parseCommandLine(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    console.log(SHOW_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw usageError('show takes one .torrent file; see s3-torrent show --help');
  const meta = readTorrent(positionals[0] as string);
  const summary = summarize(meta);
  if (values.json) {
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  }
  const rows: [string, string | undefined][] = [
    ['name', summary.name],
    ['size', `${formatBytes(summary.size)} (${summary.size.toLocaleString('en-US')} bytes)`],
    ['files', summary.files.length > 1 ? `${summary.files.length}` : undefined],
    ['piece length', `${formatBytes(summary.pieceLength)} (${summary.pieceLength.toLocaleString('en-US')} bytes)`],
    ['pieces', summary.pieceCount.toLocaleString('en-US')],
    ['format', { v1: 'BitTorrent v1', v2: 'BitTorrent v2 (BEP 52)', hybrid: 'hybrid (v1 + v2)' }[summary.format]],
    ['infohash v1', summary.infoHashV1 ?? undefined],
    ['infohash v2', summary.infoHashV2 ?? undefined],
    ['private', summary.private ? 'yes' : undefined],
    ['source', summary.source],
    ...summary.trackers.map((tier, i): [string, string] => [
      summary.trackers.length > 1 ? `tracker tier ${i + 1}` : 'trackers',
      tier.join(', '),
    ]),
    ...summary.webSeeds.map((seed): [string, string] => ['web seed', seed]),
    ['comment', summary.comment],
    ['created by', summary.createdBy],
    ['creation date', summary.creationDate],
    ['magnet', summary.magnet],
  ];
  for (const [label, value] of rows) if (value !== undefined) console.log(`${label.padEnd(14)} ${value}`);
  if (summary.files.length > 1) for (const f of summary.files) console.log(`  ${f.path}  ${formatBytes(f.length)}`);
  return 0;
}

export function readTorrent(path: string): TorrentMetainfo {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw inputError(
      `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`,
    );
  }
  try {
    return parseTorrentFile(bytes);
  } catch (err) {
    if (err instanceof InvalidTorrentError) throw inputError(`${path}: ${err.message}`);
    throw err;
  }
}

function summarize(meta: TorrentMetainfo) {
  // Absent hashes are null rather than left out, so JSON readers see which versions the torrent has.
  const hex = (h?: Uint8Array) => (h ? Buffer.from(h).toString('hex') : null);
  return {
    name: meta.name,
    size: meta.totalLength,
    pieceLength: meta.pieceLength,
    pieceCount: meta.pieceCount,
    format: meta.format,
    infoHashV1: hex(meta.infoHashV1),
    infoHashV2: hex(meta.infoHashV2),
    private: meta.private,
    source: meta.source,
    trackers: meta.trackers,
    webSeeds: meta.webSeeds,
    comment: meta.comment,
    createdBy: meta.createdBy,
    creationDate: meta.creationDate?.toISOString(),
    files: meta.files.filter((f) => !f.padding).map((f) => ({ path: [meta.name, ...f.path].join('/'), length: f.length })),
    magnet: magnetLink({
      infoHashV1: meta.infoHashV1,
      infoHashV2: meta.infoHashV2,
      name: meta.name,
      trackers: meta.trackers.flat(),
      webSeeds: meta.webSeeds,
    }),
  };
}
