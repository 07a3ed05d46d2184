import type { TorrentFormat } from '../core/build-info';
import { assertFolderTorrentFits, buildFolderInfo, buildFolderInfoFromObjects } from '../core/folder-info';
import { layOutFolder, type FolderLayout, type FolderPadding } from '../core/folder-layout';
import { infoHashV1 } from '../core/info-dict';
import { hashKindsOf, mergeObjectHashes, type HashKind, type ObjectHashes } from '../core/object-hashes';
import { mapLimit } from '../core/map-limit';
import { pieceLengthFor } from '../core/piece-length';
import { accessDenied, ObjectChangedError, ServiceError } from '../http/errors';
import type { ObjectHashKey, ObjectHashStore } from '../ports/object-hash-store';
import type { KnownFolders } from '../ports/known-folders';
import type { ObjectListing } from '../ports/object-listing';
import type { ObjectStore } from '../ports/object-store';
import type { CachedTorrent, TorrentCache, TorrentCacheKey } from '../ports/torrent-cache';
import type { TorrentRegistry } from '../ports/torrent-registry';
import { announcedInfoHashes } from '../torrents/build-torrent';
import { folderServiceError } from './folder-errors';
import { folderNameOf, listFolder, listingDigest, type FolderObject } from './folder-listing';
import { hashObjects, hashFolderEndToEnd, type HashObjectsOptions, type RangeReader } from './hash-objects';

export interface FolderServiceDeps {
  readonly listing: ObjectListing;
  readonly store: ObjectStore;
  readonly hashes: ObjectHashStore;
  readonly cache: TorrentCache;
  readonly registry: TorrentRegistry;
  /** At most this many bytes are hashed inside a request (the objects a folder's stored hashes lack). */
  readonly inlineHashLimit: number;
  readonly clock?: () => Date;
  readonly hashOptions?: HashObjectsOptions;
  /** Where built folders are remembered, so S3 events keep their torrents current. */
  readonly known?: KnownFolders;
}

/** Build options that change a folder's info dict, and so its cache entry. */
export interface FolderBuildOptions {
  /** v1 (the default), v2 or hybrid. */
  readonly format?: TorrentFormat;
  readonly private?: boolean;
  /** `bep47` (the default: every file on a piece boundary) or `none` (v1 only: mktorrent's layout, hashed whole every time). */
  readonly padding?: FolderPadding;
}

export interface FolderTorrent {
  readonly bucket: string;
  readonly prefix: string;
  readonly name: string;
  readonly format: TorrentFormat;
  readonly torrent: CachedTorrent;
  readonly fileCount: number;
  /** True when the torrent came from the cache. */
  readonly cached: boolean;
  /** Bytes of objects read and hashed for this build (0 on a cache hit). */
  readonly bytesHashed: number;
}

/** The cache variant of folder build options: `v1`, `hybrid+private`, `v1+unpadded`... */
export function folderVariantOf(options: FolderBuildOptions): string {
  return `${options.format ?? 'v1'}${options.padding === 'none' ? '+unpadded' : ''}${options.private ? '+private' : ''}`;
}

/** The build options a variant stands for (known folders keep variants, events rebuild from them). */
export function folderOptionsOfVariant(variant: string): FolderBuildOptions {
  const [format, ...flags] = variant.split('+');
  if (format !== 'v1' && format !== 'v2' && format !== 'hybrid') throw new RangeError(`unknown folder variant: ${variant}`);
  if (flags.some((f) => f !== 'unpadded' && f !== 'private')) throw new RangeError(`unknown folder variant: ${variant}`);
  return { format, padding: flags.includes('unpadded') ? 'none' : 'bep47', private: flags.includes('private') };
}

const RECORD_WRITES_IN_FLIGHT = 16;

/** Room left in the 4 MiB .torrent for what is written around the info dict (announce, web seed, dates). */
const OUTER_FIELDS_BYTES = 4096;

/**
 * Finds or builds the torrent of every object under a prefix. Each request lists the folder (one
 * listing, paginated: the torrent describes exactly it), and looks the torrent up by a digest of
 * the listing, so it is never stale. A build reads only the objects whose hashes are not stored
 * yet at the folder's piece length (new or changed ones), stores theirs, and assembles the torrent
 * from the stored hashes of all.
 */
export class FolderTorrentService {
  private readonly clock: () => Date;

  constructor(private readonly deps: FolderServiceDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * `servable(key)` says whether the caller may have each object: a folder holding any object the
   * caller may not (a private prefix inside a public one) is refused whole.
   */
  async torrentFor(
    bucket: string,
    prefix: string,
    options: FolderBuildOptions = {},
    servable: (key: string) => boolean = () => true,
  ): Promise<FolderTorrent> {
    // An object overwritten or deleted while it was read fails the build; one fresh listing is
    // tried, a second change in a row is reported.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.torrentOfCurrentListing(bucket, prefix, options, servable);
      } catch (err) {
        if (!(err instanceof ObjectChangedError) || attempt >= 2) throw folderServiceError(err, bucket, prefix);
      }
    }
  }

  private async torrentOfCurrentListing(
    bucket: string,
    prefix: string,
    options: FolderBuildOptions,
    servable: (key: string) => boolean,
  ): Promise<FolderTorrent> {
    const format = options.format ?? 'v1';
    const padding = options.padding ?? 'bep47';
    if (padding === 'none' && format !== 'v1')
      throw new ServiceError(400, 'InvalidArgument', 'Only v1 folder torrents can be made without padding.');
    const name = folderNameOf(prefix);
    if (name === undefined)
      throw new ServiceError(422, 'InvalidTorrentName', `The prefix ${JSON.stringify(prefix)} has no folder name to give a torrent.`);
    const objects = await listFolder(this.deps.listing, bucket, prefix);
    if (objects.length === 0)
      throw new ServiceError(404, 'NoSuchKey', `No object in bucket ${JSON.stringify(bucket)} has a key under ${JSON.stringify(prefix)}.`);
    const hidden = objects.find((o) => !servable(o.key));
    if (hidden !== undefined)
      throw accessDenied(`${bucket}/${prefix} holds objects this link or route does not give access to (${JSON.stringify(hidden.key)}).`);
    const pieceLength = pieceLengthFor(objects.reduce((sum, o) => sum + o.size, 0));
    const layout = layOutFolder(objects, pieceLength, padding);
    assertFolderTorrentFits(format, name, layout, OUTER_FIELDS_BYTES);

    const cacheKey: TorrentCacheKey = {
      bucket,
      key: prefix,
      identity: `listing:${listingDigest(bucket, prefix, objects)}`,
      variant: folderVariantOf(options),
    };
    const result = { bucket, prefix, name, format, fileCount: layout.files.length };
    const cached = await this.deps.cache.get(cacheKey);
    if (cached !== undefined) return { ...result, torrent: cached, cached: true, bytesHashed: 0 };

    const inOrder = layout.files.map((file) => objects[file.source] as FolderObject);
    const { info, pieceLayers, bytesHashed } =
      padding === 'bep47'
        ? await this.buildFromStoredHashes(bucket, prefix, name, layout, inOrder, options)
        : await this.buildUnpadded(bucket, prefix, name, layout, inOrder, options);
    const torrent: CachedTorrent = {
      infoHash: Buffer.from(infoHashV1(info)).toString('hex'),
      info,
      pieceLayers,
      size: layout.contentLength,
      pieceLength,
      createdAt: this.clock(),
    };
    await this.deps.cache.put(cacheKey, torrent);
    await this.deps.known?.remember(bucket, prefix, cacheKey.variant);
    await this.deps.registry.register({
      infoHashes: announcedInfoHashes(info, format),
      bucket,
      key: prefix,
      name,
      size: layout.contentLength,
      private: options.private === true,
    });
    return { ...result, torrent, cached: false, bytesHashed };
  }

  private async buildFromStoredHashes(
    bucket: string,
    prefix: string,
    name: string,
    layout: FolderLayout,
    inOrder: readonly FolderObject[],
    options: FolderBuildOptions,
  ) {
    const format = options.format ?? 'v1';
    const kinds = hashKindsOf(format);
    const keys = inOrder.map((o): ObjectHashKey => ({ bucket, key: o.key, etag: o.etag, size: o.size, pieceLength: layout.pieceLength }));
    const stored = await this.deps.hashes.getMany(keys);
    // Each object is read for the kinds of hash it lacks (a v1 torrent stored v1; hybrid adds v2).
    const lacking = inOrder.map((o, i) => (o.size === 0 ? [] : kinds.filter((k) => stored[i]?.[k] === undefined)));
    const missing = inOrder.flatMap((_, i) => ((lacking[i] as HashKind[]).length > 0 ? [i] : []));
    const bytesToHash = missing.reduce((sum, i) => sum + (inOrder[i] as FolderObject).size, 0);
    this.assertInline(bucket, prefix, bytesToHash);
    const all: ObjectHashes[] = inOrder.map((o, i) => stored[i] ?? { size: o.size, pieceLength: layout.pieceLength });
    for (const group of groupBy(missing, (i) => (lacking[i] as HashKind[]).join('+'))) {
      const hashed = await hashObjects(
        group.map((i) => this.readerOf(bucket, inOrder[i] as FolderObject)),
        layout.pieceLength,
        lacking[group[0] as number] as HashKind[],
        this.deps.hashOptions,
      );
      await mapLimit(group, RECORD_WRITES_IN_FLIGHT, async (index, j) => {
        const fresh = hashed[j] as ObjectHashes;
        const before = stored[index];
        all[index] = before ? mergeObjectHashes(fresh, before) : fresh;
        await this.deps.hashes.put(keys[index] as ObjectHashKey, fresh);
      });
    }
    const built = buildFolderInfoFromObjects({ format, name, layout, objects: all, private: options.private });
    return { info: built.info, pieceLayers: built.pieceLayers, bytesHashed: bytesToHash };
  }

  private async buildUnpadded(
    bucket: string,
    prefix: string,
    name: string,
    layout: FolderLayout,
    inOrder: readonly FolderObject[],
    options: FolderBuildOptions,
  ) {
    // Pieces straddle files, so nothing can be reused: every byte is read, every time.
    this.assertInline(bucket, prefix, layout.contentLength);
    const pieces = await hashFolderEndToEnd(
      layout,
      inOrder.map((o) => this.readerOf(bucket, o)),
      this.deps.hashOptions,
    );
    const built = buildFolderInfo({ format: 'v1', name, layout, v1Pieces: pieces, private: options.private });
    return { info: built.info, pieceLayers: undefined, bytesHashed: layout.contentLength };
  }

  private assertInline(bucket: string, prefix: string, bytes: number): void {
    if (bytes > this.deps.inlineHashLimit) {
      throw new ServiceError(
        413,
        'FolderTooLargeForInlineHashing',
        `${bucket}/${prefix} has ${bytes} bytes to hash; this deployment hashes up to ${this.deps.inlineHashLimit} bytes per request.`,
      );
    }
  }

  private readerOf(bucket: string, object: FolderObject): RangeReader {
    const head = { bucket, key: object.key, size: object.size, etag: object.etag };
    return { size: object.size, read: (range) => this.deps.store.readRange(head, range) };
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return [...groups.values()];
}
