import { createHash } from 'node:crypto';
import type { ByteRange } from '../../lambdas/core/ranges';
import type { ChunkResultStore } from '../../lambdas/ports/chunk-results';
import type { ExecutionDescription, HashingWorkflow } from '../../lambdas/ports/hashing-workflow';
import type { HashingJob, JobFailure, JobStore, NewJob } from '../../lambdas/ports/job-store';
import type { ObjectHead, ObjectStore, PresignOptions } from '../../lambdas/ports/object-store';
import type { CachedTorrent, TorrentCache, TorrentCacheKey } from '../../lambdas/ports/torrent-cache';
import type { RegisteredTorrent, TorrentPublication, TorrentPublisher } from '../../lambdas/ports/torrent-publisher';
import type { BuildLease, BuildLeases } from '../../lambdas/ports/build-leases';
import type { TrackedTorrent } from '../../lambdas/ports/swarm-store';
import { noSuchBucket, noSuchKey, ObjectChangedError } from '../../lambdas/http/errors';
import { encodeKeyPath } from '../../lambdas/http/routes';
import type { JobRef, WorkflowInput } from '../../lambdas/ports/hashing-job';
import { JOB_RECORD_TTL_SECONDS } from '../../lambdas/adapters/dynamodb-job-store';

/**
 * In-memory ports for unit and property tests of the workflow's logic. They keep the semantics
 * the adapters have (pinned reads, conditional job updates); the adapters themselves are tested
 * against the local S3 and DynamoDB.
 */

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, { data: Buffer; etag: string }>();
  readonly buckets = new Set<string>();
  /** Sizes of the pieces readRange yields, cycled: exercises arbitrary stream chunking. */
  yieldSizes: number[] = [4096];
  reads = 0;

  createBucket(bucket: string): void {
    this.buckets.add(bucket);
  }

  /** Stores an object (creating its bucket), with S3's ETag of a single-part upload. */
  put(bucket: string, key: string, data: Buffer): ObjectHead {
    const etag = `"${createHash('md5').update(data).digest('hex')}"`;
    this.buckets.add(bucket);
    this.objects.set(`${bucket}/${key}`, { data, etag });
    return { bucket, key, size: data.length, etag };
  }

  async head(bucket: string, key: string): Promise<ObjectHead> {
    const o = this.objects.get(`${bucket}/${key}`);
    if (o === undefined) throw this.buckets.has(bucket) ? noSuchKey(bucket, key) : noSuchBucket(bucket);
    return { bucket, key, size: o.data.length, etag: o.etag };
  }

  async *readRange(head: ObjectHead, range: ByteRange): AsyncIterable<Uint8Array> {
    this.reads++;
    const o = this.objects.get(`${head.bucket}/${head.key}`);
    if (o === undefined || o.etag !== head.etag) throw new ObjectChangedError(head.bucket, head.key);
    for (let at = range.start, i = 0; at < range.end; i++) {
      const n = Math.max(1, this.yieldSizes[i % this.yieldSizes.length] ?? 1);
      yield o.data.subarray(at, Math.min(at + n, range.end));
      at += n;
      await Promise.resolve();
    }
  }

  async presignGet(bucket: string, key: string, options: PresignOptions): Promise<string> {
    const query = new URLSearchParams({ expires: String(options.expiresInSeconds) });
    if (options.versionId !== undefined) query.set('versionId', options.versionId);
    return `memory://${bucket}/${encodeKeyPath(key)}?${query}`;
  }

  /** What a client following a presigned URL of this store gets. */
  fetchPresigned(url: string): Buffer {
    const { host, pathname } = new URL(url);
    const o = this.objects.get(`${host}/${decodeURIComponent(pathname.slice(1))}`);
    if (o === undefined) throw new Error(`GET ${url}: 404`);
    return o.data;
  }
}

export class MemoryChunkResults implements ChunkResultStore {
  readonly results = new Map<string, Uint8Array>();
  async put(executionName: string, chunk: number, pieces: Uint8Array) {
    this.results.set(`${executionName}/${chunk}`, Uint8Array.from(pieces));
  }
  async get(executionName: string, chunk: number) {
    const r = this.results.get(`${executionName}/${chunk}`);
    if (r === undefined) throw new Error(`no result for chunk ${chunk}`);
    return r;
  }
  async deleteAll(executionName: string) {
    const keys = [...this.results.keys()].filter((k) => k.startsWith(`${executionName}/`));
    for (const k of keys) this.results.delete(k);
    return keys.length;
  }
}

type MutableJob = { -readonly [K in keyof HashingJob]: HashingJob[K] } & { chunksDone: Set<number>; expiresAt: number };

/** The adapter keeps messages to this many characters. */
const MAX_MESSAGE = 1000;

export class MemoryJobStore implements JobStore {
  readonly items = new Map<string, MutableJob>();
  begins = 0;
  constructor(private readonly clock: () => Date = () => new Date()) {}

  async get(jobId: string): Promise<HashingJob | undefined> {
    const item = this.current(jobId);
    if (item === undefined) return undefined;
    const { chunksDone: _c, expiresAt: _e, ...job } = item;
    return structuredClone(job);
  }

  async begin(job: NewJob, previousAttempt?: number): Promise<boolean> {
    await Promise.resolve(); // a round trip, so concurrent callers interleave
    const current = this.current(job.jobId);
    if (previousAttempt === undefined ? current !== undefined : current?.attempt !== previousAttempt || current.state === 'RUNNING')
      return false;
    this.begins++;
    this.items.set(job.jobId, {
      ...job,
      state: 'RUNNING',
      piecesDone: 0,
      updatedAt: this.clock(),
      chunksDone: new Set(),
      expiresAt: this.expiry(),
    });
    return true;
  }

  async recordChunk(job: JobRef, chunk: number, pieces: number) {
    const item = this.running(job);
    if (item === undefined || item.chunksDone.has(chunk)) return;
    item.chunksDone.add(chunk);
    item.piecesDone += pieces;
    item.updatedAt = this.clock();
  }

  async noteError(job: JobRef, message: string) {
    const item = this.running(job);
    if (item) Object.assign(item, { lastError: message.slice(0, MAX_MESSAGE), updatedAt: this.clock() });
  }

  async fail(job: JobRef, failure: JobFailure) {
    const item = this.running(job);
    if (item === undefined) return false;
    Object.assign(item, {
      state: 'FAILED',
      failure: { code: failure.code, message: failure.message.slice(0, MAX_MESSAGE) },
      finishedAt: this.clock(),
      updatedAt: this.clock(),
      expiresAt: this.expiry(),
    });
    return true;
  }

  async succeed(job: JobRef, infoHash: string) {
    const item = this.running(job);
    if (item === undefined) return false;
    const { chunksDone: _c, ...rest } = item;
    this.items.set(job.jobId, {
      ...rest,
      chunksDone: new Set(),
      state: 'SUCCEEDED',
      infoHash,
      piecesDone: item.piecesTotal,
      finishedAt: this.clock(),
      updatedAt: this.clock(),
      expiresAt: this.expiry(),
    });
    return true;
  }

  async markChecked(job: JobRef) {
    const item = this.running(job);
    if (item) item.checkedAt = this.clock();
  }

  private running(job: JobRef): MutableJob | undefined {
    const item = this.current(job.jobId);
    return item?.attempt === job.attempt && item.state === 'RUNNING' ? item : undefined;
  }

  /** The record, unless it has expired (as the adapter filters on its TTL attribute). */
  private current(jobId: string): MutableJob | undefined {
    const item = this.items.get(jobId);
    return item !== undefined && item.expiresAt > this.seconds() ? item : undefined;
  }

  private seconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  private expiry(): number {
    return this.seconds() + JOB_RECORD_TTL_SECONDS;
  }
}

export class MemoryCache implements TorrentCache {
  readonly entries = new Map<string, CachedTorrent>();
  async get(key: TorrentCacheKey) {
    await Promise.resolve(); // a round trip, so concurrent callers interleave
    return this.entries.get(id(key));
  }
  async evictObject(bucket: string, key: string) {
    const keys = [...this.entries.keys()].filter((k) => k.startsWith(`${bucket}/${key}#`));
    for (const k of keys) this.entries.delete(k);
    return keys.length;
  }
}
const id = (key: TorrentCacheKey) => `${key.bucket}/${key.key}#${key.identity}#${key.variant}`;

/** Publishes into a MemoryCache and a map of registrations, both at once, as the DynamoDB transaction does. */
export class MemoryPublisher implements TorrentPublisher {
  /** Registrations by infohash, with the counter the tracker keeps on them. */
  readonly registrations = new Map<string, Omit<RegisteredTorrent, 'infoHashes'> & { tokenHash: string; downloaded: number }>();
  readonly published: TorrentPublication[] = [];
  constructor(readonly cache: MemoryCache = new MemoryCache()) {}

  async publish(publication: TorrentPublication) {
    await Promise.resolve();
    const { key, torrent, registration } = publication;
    const { infoHashes, ...about } = registration;
    this.cache.entries.set(id(key), torrent);
    for (const infoHash of infoHashes) {
      const downloaded = this.registrations.get(infoHash)?.downloaded ?? 0;
      this.registrations.set(infoHash, { ...about, tokenHash: infoHashes[0]!, downloaded });
    }
    this.published.push(publication);
    const object = `${key.bucket}/${key.key}#`;
    for (const k of [...this.cache.entries.keys()]) {
      if (k.startsWith(object) && !k.startsWith(`${object}${key.identity}#`)) this.cache.entries.delete(k);
    }
  }

  /** What the tracker's SwarmStore.trackedTorrents reads of the registrations. */
  trackedTorrents(infoHashes: readonly string[]): Map<string, TrackedTorrent> {
    const found = new Map<string, TrackedTorrent>();
    for (const infoHash of infoHashes) {
      const r = this.registrations.get(infoHash);
      if (r) found.set(infoHash, { infoHash, downloaded: r.downloaded, private: r.private, tokenHash: r.tokenHash });
    }
    return found;
  }
}

/** Build leases in memory, with the conditions of DynamoDbBuildLeases. */
export class MemoryBuildLeases implements BuildLeases {
  readonly leases = new Map<string, BuildLease>();
  acquired = 0;
  async acquire(key: TorrentCacheKey, lease: BuildLease, now: Date) {
    await Promise.resolve();
    const current = this.leases.get(id(key));
    if (current !== undefined && current.expiresAt.getTime() > now.getTime()) return false;
    this.leases.set(id(key), { ...lease });
    this.acquired++;
    return true;
  }
  async renew(key: TorrentCacheKey, lease: BuildLease) {
    await Promise.resolve();
    if (this.leases.get(id(key))?.holder !== lease.holder) return false;
    this.leases.set(id(key), { ...lease });
    return true;
  }
  async release(key: TorrentCacheKey, holder: string) {
    await Promise.resolve();
    if (this.leases.get(id(key))?.holder === holder) this.leases.delete(id(key));
  }
  async current(key: TorrentCacheKey) {
    await Promise.resolve();
    const lease = this.leases.get(id(key));
    return lease && { ...lease };
  }
}

/** Records starts (one execution per name, as Step Functions keeps them) and answers describe from a table. */
export class FakeWorkflow implements HashingWorkflow {
  readonly started = new Map<string, WorkflowInput>();
  readonly startCalls: string[] = [];
  readonly descriptions = new Map<string, ExecutionDescription>();
  async start(name: string, input: WorkflowInput) {
    this.startCalls.push(name);
    if (!this.started.has(name)) {
      this.started.set(name, input);
      this.descriptions.set(name, { status: 'RUNNING' });
    }
  }
  async describe(name: string) {
    return this.descriptions.get(name);
  }
}
