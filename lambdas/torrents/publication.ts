import type { CachedTorrent, TorrentCacheKey } from '../ports/torrent-cache';
import type { TorrentPublication } from '../ports/torrent-publisher';
import { announcedInfoHashes } from './build-torrent';
import { optionsOfVariant } from './variants';

/**
 * What publishing a built torrent writes: its cache entry and the registration of every infohash
 * clients announce it under, as the variant (format, private) of its cache key says. Every path
 * that builds torrents (requests, S3 events, the hashing workflow) publishes through this and
 * TorrentPublisher, so the cache and the tracker cannot disagree about a torrent.
 */
export function publicationOf(key: TorrentCacheKey, torrent: CachedTorrent, name: string): TorrentPublication {
  const { format, private: isPrivate } = optionsOfVariant(key.variant);
  return {
    key,
    torrent,
    registration: {
      infoHashes: announcedInfoHashes(torrent.info, format),
      bucket: key.bucket,
      key: key.key,
      name,
      size: torrent.size,
      private: isPrivate,
    },
  };
}
