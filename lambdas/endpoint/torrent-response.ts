// What the torrent responses of objects and of folders share: the format asked for and the infohash headers.
import type { TorrentFormat } from '../core/build-info';
import { badRequest } from '../http/errors';
import { infoHashesOf } from '../torrents/build-torrent';

// `version=1` (the default: aria2 and Transmission 3 load only v1), `version=2` or `version=hybrid`.
const FORMAT_OF_VERSION: Record<string, TorrentFormat> = { '1': 'v1', '2': 'v2', hybrid: 'hybrid' };

export function formatFromQuery(query: URLSearchParams): TorrentFormat {
  const version = query.get('version');
  if (version === null) return 'v1';
  const format = FORMAT_OF_VERSION[version];
  if (format === undefined)
    throw badRequest(`version must be 1, 2 or hybrid, not ${JSON.stringify(version.slice(0, 20))}.`, 'InvalidArgument');
  return format;
}

/**
 * `X-Torrent-Infohash` is the hash clients show for the torrent: the v1 SHA-1 (v1 and hybrid) or,
 * for v2-only torrents, the full v2 SHA-256. `X-Torrent-Infohash-V2` is the v2 SHA-256 of v2 and
 * hybrid torrents (trackers see its first 20 bytes).
 */
export function infoHashHeaders(info: Uint8Array, format: TorrentFormat): Record<string, string> {
  const hashes = infoHashesOf(info, format);
  return {
    'x-torrent-infohash': (hashes.v1 ?? hashes.v2) as string,
    ...(hashes.v2 !== undefined ? { 'x-torrent-infohash-v2': hashes.v2 } : {}),
  };
}
