import { createHash } from 'node:crypto';
import type { ByteRange } from '../../lambdas/core/ranges';
import { infoHashV1 } from '../../lambdas/core/info-dict';
import type { ChunkResultStore } from '../../lambdas/ports/chunk-results';
import type { ExecutionDescription, HashingWorkflow } from '../../lambdas/ports/hashing-workflow';
import type { HashingJob, JobFailure, JobStore, NewJob } from '../../lambdas/ports/job-store';
import type { ObjectHead, ObjectStore, PresignOptions } from '../../lambdas/ports/object-store';
import type { CachedTorrent, TorrentCache, TorrentCacheKey } from '../../lambdas/ports/torrent-cache';
import type { RegisteredTorrent, TorrentPublication, TorrentPublisher } from '../../lambdas/ports/torrent-publisher';
import type { BuildLease, BuildLeases } from '../../lambdas/ports/build-leases';
import {
  DOWNLOAD_RECORD_SECONDS,
  STOPPED_PEER_SECONDS,
  type PutPeerOptions,
  type PeerWriteResult,
  type StoredPeer,
  type SwarmStore,
  type TrackedTorrent,
} from '../../lambdas/ports/swarm-store';
import type { SwarmSample } from '../../lambdas/core/tracker/swarm-sample';
import { peerEntry } from '../../lambdas/adapters/dynamodb-swarm-store';
import { noSuchBucket, noSuchKey, ObjectChangedError } from '../../lambdas/http/errors';
import { encodeKeyPath } from '../../lambdas/http/routes';
import type { JobRef, WorkflowInput } from '../../lambdas/ports/hashing-job';
import type { GateStore } from '../../lambdas/ports/gate-store';
import { sameGate, type GateState } from '../../lambdas/core/gate/gate-policy';
import {
  batchesOf,
  KeyValueStoreLimitError,
  KVS_LIMITS,
  type KeyValueChanges,
  type KeyValueStore,
} from '../../lambdas/ports/key-value-store';
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
    const query = new URLSearchParams({ expires: String(options.expiresInSeconds), method: options.method ?? 'GET' });
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

/** Entries per object, then per `<identity>#<variant>`, as the table's partition and sort keys. */
export class MemoryCache implements TorrentCache {
  readonly objects = new Map<string, Map<string, CachedTorrent>>();
  async get(key: TorrentCacheKey) {
    await Promise.resolve(); // a round trip, so concurrent callers interleave
    const torrent = this.objects.get(objectOf(key.bucket, key.key))?.get(buildOf(key));
    // As the adapter: an info dict that does not hash to the infohash is a miss (and gets rebuilt).
    if (torrent === undefined || Buffer.from(infoHashV1(torrent.info)).toString('hex') !== torrent.infoHash) return undefined;
    return torrent;
  }
  /** What publishing writes into the cache (not part of the port: only MemoryPublisher and tests call it). */
  write(key: TorrentCacheKey, torrent: CachedTorrent) {
    const builds = this.objects.get(objectOf(key.bucket, key.key)) ?? new Map<string, CachedTorrent>();
    for (const build of [...builds.keys()]) if (!build.startsWith(`${key.identity}#`)) builds.delete(build);
    // The adapter keeps the creation time in whole seconds.
    builds.set(buildOf(key), { ...torrent, createdAt: new Date(Math.floor(torrent.createdAt.getTime() / 1000) * 1000) });
    this.objects.set(objectOf(key.bucket, key.key), builds);
  }
  async evictObject(bucket: string, key: string) {
    const count = this.objects.get(objectOf(bucket, key))?.size ?? 0;
    this.objects.delete(objectOf(bucket, key));
    return count;
  }
  /** Every entry, for assertions. */
  get size(): number {
    return [...this.objects.values()].reduce((n, builds) => n + builds.size, 0);
  }
}
const objectOf = (bucket: string, key: string) => `${bucket}/${key}`;
const buildOf = (key: TorrentCacheKey) => `${key.identity}#${key.variant}`;

/**
 * The tracker's table in memory: registrations (with their counters), peers in ring order and the
 * record of counted downloads, with the adapter's rules (ownership of peer ids, expiry, one
 * download per peer id). MemoryPublisher writes registrations into it.
 */
export class MemorySwarmStore implements SwarmStore {
  readonly torrents = new Map<string, RegisteredTorrent & { downloaded: number }>();
  private readonly peers = new Map<string, Map<string, StoredPeer>>();
  private readonly downloads = new Map<string, number>();
  /** When each stop stops mattering (see STOPPED_PEER_SECONDS), by `<infohash>/<placement>/<peer id>`. */
  private readonly stops = new Map<string, number>();

  /** What publishing writes (see MemoryPublisher): a registration per infohash, counters kept. */
  register(torrent: RegisteredTorrent): void {
    for (const infoHash of torrent.infoHashes) {
      this.torrents.set(infoHash, { ...torrent, downloaded: this.torrents.get(infoHash)?.downloaded ?? 0 });
    }
  }

  async trackedTorrents(infoHashes: readonly string[]): Promise<Map<string, TrackedTorrent>> {
    const found = new Map<string, TrackedTorrent>();
    for (const infoHash of infoHashes) {
      const t = this.torrents.get(infoHash);
      if (t) found.set(infoHash, { infoHash, downloaded: t.downloaded, private: t.private, tokenHash: t.infoHashes[0] });
    }
    return found;
  }

  async putPeer(infoHash: string, peer: StoredPeer, nowSeconds: number, options: PutPeerOptions = {}): Promise<PeerWriteResult> {
    const stoppedUntil = this.stops.get(stopOf(infoHash, peer)) ?? 0;
    if (stoppedUntil > nowSeconds && !options.starting) {
      await Promise.resolve();
      return { outcome: 'stopped' };
    }
    this.stops.delete(stopOf(infoHash, peer));
    return this.write(infoHash, peer, nowSeconds, stoppedUntil > nowSeconds, (entries, entry) =>
      entries.set(entry, withoutUndefined(peer)),
    );
  }

  async removePeer(infoHash: string, peer: StoredPeer, nowSeconds: number): Promise<PeerWriteResult> {
    const stopped = (this.stops.get(stopOf(infoHash, peer)) ?? 0) > nowSeconds;
    const result = await this.write(infoHash, peer, nowSeconds, stopped, (entries, entry) => entries.delete(entry));
    if (result.outcome === 'written') this.stops.set(stopOf(infoHash, peer), nowSeconds + STOPPED_PEER_SECONDS);
    return result;
  }

  async removeExpiredPeers(infoHash: string, peers: readonly StoredPeer[], nowSeconds: number): Promise<void> {
    const entries = this.peers.get(infoHash);
    for (const peer of peers) {
      const entry = peerEntry(peer.placement, peer.peerId);
      const current = entries?.get(entry);
      if (current !== undefined && current.expiresAt <= nowSeconds) entries?.delete(entry);
    }
  }

  async recordDownload(infoHash: string, peerId: Uint8Array, nowSeconds: number): Promise<boolean> {
    await Promise.resolve(); // a round trip, so concurrent callers interleave
    const torrent = this.torrents.get(infoHash);
    const record = `${infoHash}/${Buffer.from(peerId).toString('hex')}`;
    if (torrent === undefined || (this.downloads.get(record) ?? 0) > nowSeconds) return false;
    this.downloads.set(record, nowSeconds + DOWNLOAD_RECORD_SECONDS);
    torrent.downloaded += 1;
    return true;
  }

  async samplePeers(infoHash: string, start: number, limit: number): Promise<SwarmSample> {
    const ring = [...(this.peers.get(infoHash) ?? new Map<string, StoredPeer>()).entries()].sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    const from = peerEntry(start, new Uint8Array(0));
    const ahead = ring.filter(([entry]) => entry >= from).map(([, p]) => p);
    if (ahead.length >= limit) return { start, members: ahead.slice(0, limit), wholeSwarm: false };
    const room = limit - ahead.length;
    const behind = ring.filter(([entry]) => entry < from).map(([, p]) => p);
    // As the adapter: a read that fills up exactly cannot tell whether more follows.
    return { start, members: [...ahead, ...behind.slice(0, room)], wholeSwarm: behind.length < room };
  }

  /** The rule both writes follow: a live entry belongs to the client sharing an address or the key. */
  private async write(
    infoHash: string,
    peer: StoredPeer,
    nowSeconds: number,
    afterStop: boolean,
    change: (entries: Map<string, StoredPeer>, entry: string) => void,
  ): Promise<PeerWriteResult> {
    await Promise.resolve();
    const entries = this.peers.get(infoHash) ?? new Map<string, StoredPeer>();
    this.peers.set(infoHash, entries);
    const entry = peerEntry(peer.placement, peer.peerId);
    const previous = entries.get(entry);
    const owner =
      afterStop ||
      previous === undefined ||
      previous.expiresAt <= nowSeconds ||
      (peer.ipv4 !== undefined && previous.ipv4 === peer.ipv4) ||
      (peer.ipv6 !== undefined && previous.ipv6 === peer.ipv6) ||
      (peer.key !== undefined && previous.key === peer.key);
    if (!owner) return { outcome: 'owned-by-another-client' };
    change(entries, entry);
    return { outcome: 'written', previous };
  }
}

const stopOf = (infoHash: string, peer: StoredPeer) => `${infoHash}/${peerEntry(peer.placement, peer.peerId)}`;

function withoutUndefined(peer: StoredPeer): StoredPeer {
  return Object.fromEntries(Object.entries(peer).filter(([, v]) => v !== undefined)) as unknown as StoredPeer;
}

/**
 * Publishes into a MemoryCache and a MemorySwarmStore together, as the DynamoDB transaction writes
 * the cache item and the registrations.
 */
export class MemoryPublisher implements TorrentPublisher {
  readonly published: TorrentPublication[] = [];
  constructor(
    readonly cache: MemoryCache = new MemoryCache(),
    readonly swarm: MemorySwarmStore = new MemorySwarmStore(),
  ) {}

  async publish(publication: TorrentPublication) {
    await Promise.resolve(); // a round trip, so concurrent callers interleave
    this.cache.write(publication.key, publication.torrent);
    this.swarm.register(publication.registration);
    this.published.push(publication);
  }
}

const buildKeyOf = (key: TorrentCacheKey) => `${objectOf(key.bucket, key.key)}#${buildOf(key)}`;

/** Build leases in memory, with the conditions of DynamoDbBuildLeases. */
export class MemoryBuildLeases implements BuildLeases {
  readonly leases = new Map<string, BuildLease>();
  acquired = 0;
  async acquire(key: TorrentCacheKey, lease: BuildLease, now: Date) {
    await Promise.resolve();
    const current = this.leases.get(buildKeyOf(key));
    if (current !== undefined && current.expiresAt.getTime() > now.getTime()) return false;
    this.leases.set(buildKeyOf(key), { ...lease });
    this.acquired++;
    return true;
  }
  async renew(key: TorrentCacheKey, lease: BuildLease) {
    await Promise.resolve();
    if (this.leases.get(buildKeyOf(key))?.holder !== lease.holder) return false;
    this.leases.set(buildKeyOf(key), { ...lease });
    return true;
  }
  async release(key: TorrentCacheKey, holder: string) {
    await Promise.resolve();
    if (this.leases.get(buildKeyOf(key))?.holder === holder) this.leases.delete(buildKeyOf(key));
  }
  async current(key: TorrentCacheKey) {
    await Promise.resolve();
    const lease = this.leases.get(buildKeyOf(key));
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

/** The key-value store port in memory, with the limits the stand-in and CloudFront enforce. */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly entries = new Map<string, string>();
  updates = 0;

  async update(changes: KeyValueChanges): Promise<void> {
    for (const batch of batchesOf(changes)) {
      for (const { key, value } of batch.puts) {
        if (key.length < 1 || key.length > KVS_LIMITS.keyLength || value.length > KVS_LIMITS.valueLength) {
          throw new KeyValueStoreLimitError(`key or value too long: ${key.slice(0, 40)}`);
        }
      }
      const next = new Map(this.entries);
      for (const key of batch.deletes) next.delete(key);
      for (const { key, value } of batch.puts) next.set(key, value);
      let total = 0;
      for (const [key, value] of next) total += Buffer.byteLength(key) + Buffer.byteLength(value);
      if (total > KVS_LIMITS.totalBytes) throw new KeyValueStoreLimitError('the store would exceed 5 MB');
      this.entries.clear();
      for (const [key, value] of next) this.entries.set(key, value);
      this.updates++;
    }
  }

  async get(key: string): Promise<string | undefined> {
    return this.entries.get(key);
  }
}

/** The gate store port in memory: the same read-decide-write, without the races. */
export class MemoryGateStore implements GateStore {
  readonly gates = new Map<string, GateState>();
  writes = 0;

  async get(gateKey: string): Promise<GateState | undefined> {
    return this.gates.get(gateKey);
  }

  async change(gateKey: string, decide: (current: GateState | undefined) => GateState | undefined): Promise<GateState | undefined> {
    const current = this.gates.get(gateKey);
    const next = decide(current);
    if (sameGate(current, next)) return current;
    this.writes++;
    if (next === undefined) this.gates.delete(gateKey);
    else this.gates.set(gateKey, next);
    return next;
  }
}
