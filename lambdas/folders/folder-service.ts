import type { TorrentFormat } from '../core/build-info';
import { assertFolderTorrentFits, buildFolderInfo, buildFolderInfoFromObjects } from '../core/folder-info';
import { layOutFolder, type FolderLayout, type FolderPadding } from '../core/folder-layout';
import { infoHashV1 } from '../core/info-dict';
import { hashKindsOf, mergeObjectHashes, type HashKind, type ObjectHashes } from '../core/object-hashes';
import { pieceLengthFor } from '../core/piece-length';
import { accessDenied, ObjectChangedError, ServiceError } from '../http/errors';
import type { ObjectHashKey, ObjectHashStore } from '../ports/object-hash-store';
import { FOLDER_LISTING_IDENTITY, jobIdFor } from '../ports/hashing-job';
import type { FolderJobPlans } from '../ports/folder-job-plans';
import type { HashingJob } from '../ports/job-store';
import type { LargeObjectJobs } from '../torrents/large-object-jobs';
import type { KnownFolders } from '../ports/known-folders';
import type { ListedObject, ObjectListing } from '../ports/object-listing';
import type { ObjectStore } from '../ports/object-store';
import type { CachedTorrent, TorrentCache, TorrentCacheKey } from '../ports/torrent-cache';
import type { BuildLeases } from '../ports/build-leases';
import type { TorrentPublisher } from '../ports/torrent-publisher';
import { announcedInfoHashes } from '../torrents/build-torrent';
import { LeasedBuilds, type LeaseSettings } from '../torrents/leased-builds';
import { folderServiceError } from './folder-errors';
import { folderNameOf, folderObjects, listFolder, listingDigest, type FolderObject } from './folder-listing';
import { hashObjects, hashFolderEndToEnd, type HashObjectsOptions, type RangeReader } from './hash-objects';

export interface FolderServiceDeps {
  readonly listing: ObjectListing;
  readonly store: ObjectStore;
  readonly hashes: ObjectHashStore;
  readonly cache: TorrentCache;
  /** Cache entry and tracker registration in one step, as for objects. */
  readonly publisher: TorrentPublisher;
  /** One build per listing and variant: concurrent requests for an uncached folder torrent wait for the one holding the lease. */
  readonly leases: BuildLeases;
  readonly leaseSettings?: Partial<LeaseSettings>;
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

/** Room left in the 4 MiB .torrent for what is written around the info dict (announce, web seed, dates). */
const OUTER_FIELDS_BYTES = 4096;

/** A folder above the inline limit whose torrent the hashing workflow is building (or failed to build). */
export interface FolderPending {
  readonly bucket: string;
  readonly prefix: string;
  readonly name: string;
  readonly job: HashingJob;
}

/** A folder whose torrent another request was still building when this one stopped waiting. */
export interface FolderInProgress {
  readonly bucket: string;
  readonly prefix: string;
  readonly name: string;
  /** The listing's size and identity, as a pending answer reports them. */
  readonly size: number;
  readonly identity: string;
  readonly inProgress: { readonly retryAfterSeconds: number };
}

export type FolderOutcome = FolderTorrent | FolderPending | FolderInProgress;

/** The hashing workflow for folders with more to hash than a request may: the job machinery of large objects, and where plans go. */
export interface FolderJobs {
  readonly jobs: LargeObjectJobs;
  readonly plans: FolderJobPlans;
}

/** One listing of a folder, laid out, with the cache key of its torrent. */
interface PreparedFolder {
  readonly bucket: string;
  readonly prefix: string;
  readonly name: string;
  readonly options: FolderBuildOptions;
  readonly format: TorrentFormat;
  readonly layout: FolderLayout;
  /** The listed objects in layout order (`layout.files[i]` is `inOrder[i]`). */
  readonly inOrder: readonly FolderObject[];
  readonly cacheKey: TorrentCacheKey;
}

/**
 * Finds or builds the torrent of every object under a prefix. Each request lists the folder (one
 * listing, paginated: the torrent describes exactly it), and looks the torrent up by a digest of
 * the listing, so it is never stale. A build reads only the objects whose hashes are not stored
 * yet at the folder's piece length (new or changed ones), stores theirs, and assembles the torrent
 * from the stored hashes of all. When that is more than a request may hash, the hashing workflow
 * does it (one job per listing and variant) and the request answers with the job.
 */
export class FolderTorrentService {
  private readonly clock: () => Date;
  private readonly builds: LeasedBuilds;

  constructor(
    private readonly deps: FolderServiceDeps,
    private readonly workflow?: FolderJobs,
  ) {
    this.clock = deps.clock ?? (() => new Date());
    this.builds = new LeasedBuilds({ leases: deps.leases, cache: deps.cache, clock: deps.clock, settings: deps.leaseSettings });
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
  ): Promise<FolderOutcome> {
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

  /**
   * The workflow's last step: the torrent of exactly this listing, from hashes the job stored.
   * Throws when an object's hashes are missing (deleted meanwhile by a newer upload of its key).
   */
  async assembleListing(bucket: string, prefix: string, objects: readonly ListedObject[], variant: string): Promise<FolderTorrent> {
    try {
      const folder = this.prepare(bucket, prefix, folderObjects(prefix, objects), folderOptionsOfVariant(variant));
      const { all, missing } = await this.storedHashes(folder);
      if (missing.length > 0) {
        const key = (folder.inOrder[missing[0] as number] as FolderObject).key;
        throw new Error(`the hashes of ${missing.length} objects (${key}...) are not stored; the folder changed while it was hashed`);
      }
      const built = buildFolderInfoFromObjects({
        format: folder.format,
        name: folder.name,
        layout: folder.layout,
        objects: all,
        private: folder.options.private,
      });
      return await this.publish(folder, built.info, built.pieceLayers, 0);
    } catch (err) {
      throw folderServiceError(err, bucket, prefix);
    }
  }

  private async torrentOfCurrentListing(
    bucket: string,
    prefix: string,
    options: FolderBuildOptions,
    servable: (key: string) => boolean,
  ): Promise<FolderOutcome> {
    if ((options.padding ?? 'bep47') === 'none' && (options.format ?? 'v1') !== 'v1')
      throw new ServiceError(400, 'InvalidArgument', 'Only v1 folder torrents can be made without padding.');
    if (folderNameOf(prefix) === undefined)
      throw new ServiceError(422, 'InvalidTorrentName', `The prefix ${JSON.stringify(prefix)} has no folder name to give a torrent.`);
    const objects = await listFolder(this.deps.listing, bucket, prefix);
    if (objects.length === 0)
      throw new ServiceError(404, 'NoSuchKey', `No object in bucket ${JSON.stringify(bucket)} has a key under ${JSON.stringify(prefix)}.`);
    const hidden = objects.find((o) => !servable(o.key));
    if (hidden !== undefined)
      throw accessDenied(`${bucket}/${prefix} holds objects this link or route does not give access to (${JSON.stringify(hidden.key)}).`);
    const folder = this.prepare(bucket, prefix, objects, options);
    const cached = await this.deps.cache.get(folder.cacheKey);
    if (cached !== undefined) return { ...this.describe(folder), torrent: cached, cached: true, bytesHashed: 0 };
    if (folder.layout.padding === 'none') {
      this.assertUnpaddedFits(folder);
      return this.leased(folder, () => this.buildUnpadded(folder));
    }
    const { all, stored, lacking, missing, bytesToHash } = await this.storedHashes(folder);
    if (bytesToHash > this.deps.inlineHashLimit) return this.viaWorkflow(folder, lacking, missing, bytesToHash);
    return this.leased(folder, async () => {
      for (const group of groupBy(missing, (i) => (lacking[i] as HashKind[]).join('+'))) {
        const hashed = await hashObjects(
          group.map((i) => this.readerOf(bucket, folder.inOrder[i] as FolderObject)),
          folder.layout.pieceLength,
          lacking[group[0] as number] as HashKind[],
          this.deps.hashOptions,
        );
        // Each record keeps the kinds it had and gains the new ones.
        const records = group.map((index, j) => {
          const fresh = hashed[j] as ObjectHashes;
          const before = stored[index];
          all[index] = before ? mergeObjectHashes(fresh, before) : fresh;
          return { key: this.hashKeyOf(folder, index), hashes: all[index] as ObjectHashes };
        });
        await this.deps.hashes.putMany(records);
      }
      const built = buildFolderInfoFromObjects({
        format: folder.format,
        name: folder.name,
        layout: folder.layout,
        objects: all,
        private: options.private,
      });
      return this.publish(folder, built.info, built.pieceLayers, bytesToHash);
    });
  }

  /**
   * Builds and publishes while holding the lease of the folder's listing and variant, as object
   * torrents are built; a request that finds another building waits for it, then reads the cache.
   */
  private async leased(folder: PreparedFolder, buildAndPublish: () => Promise<FolderTorrent>): Promise<FolderOutcome> {
    let built: FolderTorrent | undefined;
    const result = await this.builds.buildOrWait(folder.cacheKey, async () => {
      built = await buildAndPublish();
      return built.torrent;
    });
    if (result.kind === 'built' && built !== undefined) return built;
    if (result.kind === 'building') {
      return {
        ...this.describe(folder),
        size: folder.layout.contentLength,
        identity: folder.cacheKey.identity,
        inProgress: { retryAfterSeconds: result.retryAfterSeconds },
      };
    }
    return { ...this.describe(folder), torrent: result.torrent, cached: true, bytesHashed: 0 };
  }

  private prepare(bucket: string, prefix: string, objects: readonly FolderObject[], options: FolderBuildOptions): PreparedFolder {
    const format = options.format ?? 'v1';
    const name = folderNameOf(prefix);
    if (name === undefined)
      throw new ServiceError(422, 'InvalidTorrentName', `The prefix ${JSON.stringify(prefix)} has no folder name to give a torrent.`);
    const pieceLength = pieceLengthFor(objects.reduce((sum, o) => sum + o.size, 0));
    const layout = layOutFolder(objects, pieceLength, options.padding ?? 'bep47');
    assertFolderTorrentFits(format, name, layout, OUTER_FIELDS_BYTES);
    return {
      bucket,
      prefix,
      name,
      options,
      format,
      layout,
      inOrder: layout.files.map((file) => objects[file.source] as FolderObject),
      cacheKey: {
        bucket,
        key: prefix,
        identity: `${FOLDER_LISTING_IDENTITY}${listingDigest(bucket, prefix, objects)}`,
        variant: folderVariantOf(options),
      },
    };
  }

  /** The stored hashes of the folder's objects, and what each lacks of the kinds its format needs (empty objects need nothing). */
  private async storedHashes(folder: PreparedFolder) {
    const kinds = hashKindsOf(folder.format);
    const stored = await this.deps.hashes.getMany(folder.inOrder.map((_, i) => this.hashKeyOf(folder, i)));
    const lacking = folder.inOrder.map((o, i) => (o.size === 0 ? [] : kinds.filter((k) => stored[i]?.[k] === undefined)));
    const missing = folder.inOrder.flatMap((_, i) => ((lacking[i] as HashKind[]).length > 0 ? [i] : []));
    const all: ObjectHashes[] = folder.inOrder.map((o, i) => stored[i] ?? { size: o.size, pieceLength: folder.layout.pieceLength });
    const bytesToHash = missing.reduce((sum, i) => sum + (folder.inOrder[i] as FolderObject).size, 0);
    return { all, stored, lacking, missing, bytesToHash };
  }

  /** Pieces straddle files, so nothing can be reused: every byte is read, every time, in the request. */
  private assertUnpaddedFits(folder: PreparedFolder): void {
    if (folder.layout.contentLength > this.deps.inlineHashLimit) {
      throw new ServiceError(
        413,
        'FolderTooLargeForInlineHashing',
        `${folder.bucket}/${folder.prefix} has ${folder.layout.contentLength} bytes; this deployment hashes up to ${this.deps.inlineHashLimit} bytes per request, ` +
          'and folder torrents without padding are hashed whole in the request (the hashing workflow makes BEP 47 folder torrents).',
      );
    }
  }

  private async buildUnpadded(folder: PreparedFolder): Promise<FolderTorrent> {
    const pieces = await hashFolderEndToEnd(
      folder.layout,
      folder.inOrder.map((o) => this.readerOf(folder.bucket, o)),
      this.deps.hashOptions,
    );
    const built = buildFolderInfo({
      format: 'v1',
      name: folder.name,
      layout: folder.layout,
      v1Pieces: pieces,
      private: folder.options.private,
    });
    return this.publish(folder, built.info, undefined, folder.layout.contentLength);
  }

  private async viaWorkflow(
    folder: PreparedFolder,
    lacking: readonly HashKind[][],
    missing: readonly number[],
    bytesToHash: number,
  ): Promise<FolderOutcome> {
    if (this.workflow === undefined) {
      throw new ServiceError(
        413,
        'FolderTooLargeForInlineHashing',
        `${folder.bucket}/${folder.prefix} has ${bytesToHash} bytes to hash; this deployment hashes up to ${this.deps.inlineHashLimit} bytes per request.`,
      );
    }
    const { cacheKey } = folder;
    const jobId = jobIdFor(folder.bucket, folder.prefix, cacheKey.identity, cacheKey.variant);
    // The plan goes first: the execution the next call may start reads it.
    await this.workflow.plans.put(jobId, {
      bucket: folder.bucket,
      prefix: folder.prefix,
      variant: cacheKey.variant,
      pieceLength: folder.layout.pieceLength,
      objects: folder.inOrder.map(({ key, etag, size }) => ({ key, etag, size })),
      toHash: missing.map((object) => ({ object, kinds: lacking[object] as HashKind[] })),
    });
    // The job machinery of large objects, keyed by the prefix and the listing: a job per listing and variant.
    const found = await this.workflow.jobs.torrentOrJob(
      { bucket: folder.bucket, key: folder.prefix, size: bytesToHash, etag: cacheKey.identity },
      cacheKey,
    );
    return 'torrent' in found
      ? { ...this.describe(folder), torrent: found.torrent, cached: true, bytesHashed: 0 }
      : { ...this.describe(folder), job: found.job };
  }

  private async publish(
    folder: PreparedFolder,
    info: Uint8Array,
    pieceLayers: Uint8Array | undefined,
    bytesHashed: number,
  ): Promise<FolderTorrent> {
    const torrent: CachedTorrent = {
      infoHash: Buffer.from(infoHashV1(info)).toString('hex'),
      info,
      pieceLayers,
      size: folder.layout.contentLength,
      pieceLength: folder.layout.pieceLength,
      createdAt: this.clock(),
    };
    // One publish writes the cache entry and the tracker registration together, as for objects.
    await this.deps.publisher.publish({
      key: folder.cacheKey,
      torrent,
      registration: {
        infoHashes: announcedInfoHashes(info, folder.format),
        bucket: folder.bucket,
        key: folder.prefix,
        name: folder.name,
        size: folder.layout.contentLength,
        private: folder.options.private === true,
      },
    });
    // Remembered after publishing: an event for a folder not remembered yet leaves its (current) torrent alone.
    await this.deps.known?.remember(folder.bucket, folder.prefix, folder.cacheKey.variant);
    return { ...this.describe(folder), torrent, cached: false, bytesHashed };
  }

  private describe(folder: PreparedFolder) {
    return {
      bucket: folder.bucket,
      prefix: folder.prefix,
      name: folder.name,
      format: folder.format,
      fileCount: folder.layout.files.length,
    };
  }

  private hashKeyOf(folder: PreparedFolder, index: number): ObjectHashKey {
    const o = folder.inOrder[index] as FolderObject;
    return { bucket: folder.bucket, key: o.key, etag: o.etag, size: o.size, pieceLength: folder.layout.pieceLength };
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
