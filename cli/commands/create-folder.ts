import type { BuiltInfo, TorrentFormat } from '../../lambdas/core/build-info';
import { buildFolderInfo, buildFolderInfoFromObjects } from '../../lambdas/core/folder-info';
import { FolderLayoutError, layOutFolder, type FolderLayout, type FolderPadding } from '../../lambdas/core/folder-layout';
import { hashKindsOf, type ObjectHashes } from '../../lambdas/core/object-hashes';
import { pieceLengthFor } from '../../lambdas/core/piece-length';
import { inputError } from '../errors';
import { formatBytes, progressOn } from '../progress';
import type { FolderSource } from '../sources/folder-source';

export interface FolderTorrentOptions {
  readonly name: string;
  readonly format: TorrentFormat;
  readonly padding: FolderPadding;
  /** 2^exponent-byte pieces; by default the endpoint's rule for the folder's total size, so both make the same torrent. */
  readonly exponent?: number;
  readonly threads: number;
  readonly private?: boolean;
  readonly source?: string;
  readonly verbose: (message: string) => void;
}

/**
 * The torrent of a folder, as the endpoint makes it for a prefix holding the same files: the same
 * layout (BEP 47 by default, mktorrent's with `--padding none`), the same piece length rule, the
 * same info dict.
 */
export async function buildFolderTorrent(folder: FolderSource, options: FolderTorrentOptions): Promise<BuiltInfo> {
  const content = folder.files.reduce((n, f) => n + f.length, 0);
  const pieceLength = options.exponent !== undefined ? 2 ** options.exponent : pieceLengthFor(content);
  let layout: FolderLayout;
  try {
    layout = layOutFolder(folder.files, pieceLength, options.padding);
  } catch (err) {
    if (err instanceof FolderLayoutError) throw inputError(`${folder.label}: ${err.message}`);
    throw err;
  }
  options.verbose(
    `${folder.label}: ${layout.files.length} files, ${formatBytes(content)}, ${options.format}${options.padding === 'none' ? ' without padding' : ''}, ` +
      `${layout.pieceCount} pieces of ${formatBytes(pieceLength)}`,
  );
  const progress = progressOn(process.stderr, options.padding === 'none' ? layout.totalLength : content);
  const request = { pieceLength, threads: options.threads, onProgress: (done: number) => progress.update(done) };
  const started = Date.now();
  try {
    let built: BuiltInfo;
    if (options.padding === 'none') {
      const v1Pieces = await folder.hashEndToEnd(layout, request);
      built = buildFolderInfo({
        format: options.format,
        name: options.name,
        layout,
        v1Pieces,
        private: options.private,
        source: options.source,
      });
    } else {
      const hashes = await folder.hashFiles({ ...request, kinds: hashKindsOf(options.format) });
      const objects = layout.files.map((f) => hashes[f.source] as ObjectHashes);
      built = buildFolderInfoFromObjects({
        format: options.format,
        name: options.name,
        layout,
        objects,
        private: options.private,
        source: options.source,
      });
    }
    const seconds = (Date.now() - started) / 1000;
    options.verbose(`hashed in ${seconds.toFixed(2)} s (${formatBytes(content / Math.max(seconds, 0.001))}/s)`);
    return built;
  } finally {
    progress.finish();
  }
}
