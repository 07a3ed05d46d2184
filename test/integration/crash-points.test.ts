import { randomBytes } from 'node:crypto';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbJobStore } from '../../lambdas/adapters/dynamodb-job-store';
import { DynamoDbSwarmStore } from '../../lambdas/adapters/dynamodb-swarm-store';
import { DynamoDbTorrentCache } from '../../lambdas/adapters/dynamodb-torrent-cache';
import { DynamoDbTorrentPublisher } from '../../lambdas/adapters/dynamodb-torrent-publisher';
import { DEFAULT_ANNOUNCE_POLICY } from '../../lambdas/core/tracker/announce-policy';
import { encodeInfoHybrid, encodePieceLayers } from '../../lambdas/core/info-dict-v2';
import { infoHashV1 } from '../../lambdas/core/info-dict';
import { pieceCount, pieceLengthFor } from '../../lambdas/core/piece-length';
import { executionNameFor, inputFor, jobIdFor, type JobRef } from '../../lambdas/ports/hashing-job';
import { objectIdentity } from '../../lambdas/ports/object-store';
import type { TorrentCacheKey } from '../../lambdas/ports/torrent-cache';
import type { AwsClients } from '../../lambdas/runtime/aws-clients';
import { announcedInfoHashes } from '../../lambdas/torrents/build-torrent';
import { torrentServiceDeps } from '../../lambdas/torrents/deps';
import { publicationOf } from '../../lambdas/torrents/publication';
import { optionsOfVariant, variantOf, type BuildOptions } from '../../lambdas/torrents/variants';
import { TrackerService } from '../../lambdas/tracker/tracker-service';
import { workflowTaskDeps } from '../../lambdas/workflow/deps';
import { makeWorkflowTasks, type WorkflowSettings } from '../../lambdas/workflow/tasks';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store';
import { LinkSigner } from '../../lambdas/security/signed-links';
import { processClients, SimulatedCrash, type CrashPoint } from '../support/crash';
import { publishingOn } from '../support/publishing';
import { createBucket, putObject, testBytes, testClients, uniqueSuffix } from '../support/service';

/**
 * Crash-safe publishing, step by step: every AWS request a build makes is a crash point. For each
 * point, before and after the request, a "process" builds until it dies there; then the stored
 * state must hold the invariant (every cached torrent is registered with the tracker under every
 * hash it is announced with, and every registration of the object belongs to a cached torrent),
 * and a restarted process must serve the torrent with its infohash accepted by the tracker.
 */

const suffix = uniqueSuffix();
const names = { torrentTable: `crash-torrents-${suffix}`, swarmTable: `crash-swarm-${suffix}`, metadataBucket: `crash-metadata-${suffix}` };
const bucket = `crash-objects-${suffix}`;
const clients = testClients();
const settings = { ...names, inlineHashLimit: 64 * 1024 * 1024 };
const WORKFLOW: WorkflowSettings = { maxConcurrency: 2, minChunkBytes: 64 * 1024, rangeBytes: 32 * 1024 };
// The dead process's lease is long; the restarted one's clock is past it, so it takes over at once.
const DEAD_LEASE = { leaseMs: 60_000 };
const restartedClock = () => new Date(Date.now() + 120_000);

beforeAll(async () => {
  await publishingOn(clients, names);
  await createBucket(clients, bucket);
});
afterAll(() => {
  clients.s3.destroy();
  clients.dynamoDb.destroy();
});

/** The invariant, read straight from the tables: cache entries and registrations of one object agree. */
async function expectConsistent(key: string, at: string): Promise<void> {
  const cache = new DynamoDbTorrentCache(clients.dynamoDb, names.torrentTable, clients.s3, names.metadataBucket);
  const items = await clients.dynamoDb.send(
    new QueryCommand({
      TableName: names.torrentTable,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'object' },
      ExpressionAttributeValues: { ':pk': `${bucket}/${key}` },
    }),
  );
  const announced = new Set<string>();
  for (const item of items.Items ?? []) {
    const [identity, variant] = [String(item.build).replace(/#[^#]*$/, ''), String(item.build).replace(/^.*#/, '')];
    const torrent = await cache.get({ bucket, key, identity, variant: variant! }, { consistent: true });
    // A cache item whose info dict is not readable would be a pointer to nothing.
    expect({ at, cacheItem: item.build, readable: torrent !== undefined }).toEqual({ at, cacheItem: item.build, readable: true });
    for (const h of announcedInfoHashes(torrent!.info, optionsOfVariant(variant!).format)) announced.add(h);
  }
  const registrations = await clients.dynamoDb.send(
    new ScanCommand({
      TableName: names.swarmTable,
      FilterExpression: '#b = :b AND #k = :k',
      ExpressionAttributeNames: { '#b': 'bucket', '#k': 'key' },
      ExpressionAttributeValues: { ':b': bucket, ':k': key },
      ConsistentRead: true,
    }),
  );
  const registered = new Set((registrations.Items ?? []).map((i) => String(i.infoHash)));
  expect({ at, registered: [...registered].sort() }).toEqual({ at, registered: [...announced].sort() });
}

const signer = new LinkSigner(randomBytes(32));

/**
 * An announce for `infoHash` the tracker accepts (it throws `unregistered torrent` otherwise); a
 * private torrent's comes with the token its announce URL carries (made from `tokenHash`).
 */
async function expectAnnounceable(infoHash: string, at: string, tokenHash?: string): Promise<void> {
  const tracker = new TrackerService({
    store: new DynamoDbSwarmStore(clients.dynamoDb, names.swarmTable),
    tokens: signer,
    policy: DEFAULT_ANNOUNCE_POLICY,
  });
  const answer = await tracker
    .announce(
      {
        infoHash: Buffer.from(infoHash, 'hex'),
        peerId: randomBytes(20),
        port: 6881,
        uploaded: 0,
        downloaded: 0,
        left: 0,
        event: 'started',
        numwant: 10,
        compact: true,
        noPeerId: true,
        addresses: { ipv4: '192.0.2.1' },
      },
      tokenHash && signer.announceToken(tokenHash),
    )
    .catch((err: Error) => ({ refused: `${err.message} (${at})` }));
  expect(answer).toMatchObject({ interval: DEFAULT_ANNOUNCE_POLICY.interval });
}

/**
 * Runs `work` once without a crash to count its steps, then once per crash point (each with fresh
 * state from `prepare`), checking the invariant after each crash and recovery after a restart.
 */
async function everyCrashPoint<T>(
  prepare: (run: string) => Promise<T>,
  work: (clients: AwsClients, state: T) => Promise<unknown>,
  recover: (state: T, at: string) => Promise<void>,
  keyOf: (state: T) => string,
): Promise<string[]> {
  const dry = processClients();
  await work(dry.clients, await prepare('dry'));
  dry.destroy();
  const points: CrashPoint[] = dry.steps.flatMap((_, i) => [
    { at: i + 1, when: 'before' as const },
    { at: i + 1, when: 'after' as const },
  ]);
  for (const point of points) {
    const state = await prepare(`${point.when}-${point.at}`);
    const dying = processClients(point);
    const at = `${point.when} ${dry.steps[point.at - 1]} (step ${point.at} of ${dry.steps.join(', ')})`;
    await work(dying.clients, state).then(
      () => expect({ at, crashed: dying.crashed() }).toEqual({ at, crashed: true }),
      (err: unknown) => expect({ at, error: (err as Error).name }).toEqual({ at, error: SimulatedCrash.name }),
    );
    dying.destroy();
    await expectConsistent(keyOf(state), at);
    await recover(state, at);
    await expectConsistent(keyOf(state), at);
  }
  return dry.steps;
}

describe('a build killed at any AWS request', () => {
  it.each<[string, BuildOptions]>([
    ['a v1 torrent', {}],
    ['a private hybrid torrent (two registrations)', { format: 'hybrid', private: true }],
  ])(
    'inline (requests and S3 events): %s is served and announceable after a restart, or not visible at all',
    async (_name, options) => {
      const service = (c: AwsClients, restarted = false) =>
        torrentServiceDeps(c, settings, restarted ? { clock: restartedClock } : { leaseSettings: DEAD_LEASE }).service;
      const steps = await everyCrashPoint(
        async (run) => {
          const key = `inline/${variantOf(options)}/${run}.bin`;
          await putObject(clients, bucket, key, testBytes(300_000, run.length));
          return key;
        },
        (c, key) => service(c).torrentFor(bucket, key, options),
        async (key, at) => {
          const found = await service(clients, true).torrentFor(bucket, key, options);
          if (!('torrent' in found)) throw new Error(`no torrent after the restart (${at})`);
          const hashes = announcedInfoHashes(found.torrent.info, options.format ?? 'v1');
          for (const h of hashes) await expectAnnounceable(h, at, options.private ? hashes[0] : undefined);
        },
        (key) => key,
      );
      // The steps the crash points covered: the transaction is one of them, and the only write the tracker sees.
      expect(steps).toEqual(
        expect.arrayContaining(['HeadObjectCommand', 'PutItemCommand', 'GetObjectCommand', 'TransactWriteItemsCommand']),
      );
      expect(steps.filter((s) => s === 'TransactWriteItemsCommand')).toHaveLength(1);
    },
    240_000,
  );

  it('publishing an info dict too large for an item: the metadata objects come first, then the transaction', async () => {
    const pieces = 8_000;
    const steps = await everyCrashPoint(
      async (run) => {
        const pieceLength = 16 * 1024;
        const piecesRoot = randomBytes(32);
        const info = encodeInfoHybrid({
          name: 'big.bin',
          length: pieces * pieceLength,
          pieceLength,
          pieces: randomBytes(pieces * 20),
          piecesRoot,
        });
        const torrent = {
          infoHash: Buffer.from(infoHashV1(info)).toString('hex'),
          info,
          pieceLayers: encodePieceLayers(piecesRoot, randomBytes(pieces * 32)),
          size: pieces * pieceLength,
          pieceLength,
          createdAt: new Date(),
        };
        const key: TorrentCacheKey = { bucket, key: `large-info/${run}/big.bin`, identity: 'etag:"1"', variant: 'hybrid' };
        return publicationOf(key, torrent, 'big.bin');
      },
      (c, publication) =>
        new DynamoDbTorrentPublisher(
          c.dynamoDb,
          new DynamoDbTorrentCache(c.dynamoDb, names.torrentTable, c.s3, names.metadataBucket),
          names.swarmTable,
        ).publish(publication),
      async (publication, at) => {
        // A restarted process finds the cache entry whole, or builds and publishes again.
        const cache = new DynamoDbTorrentCache(clients.dynamoDb, names.torrentTable, clients.s3, names.metadataBucket);
        if ((await cache.get(publication.key, { consistent: true })) === undefined)
          await new DynamoDbTorrentPublisher(clients.dynamoDb, cache, names.swarmTable).publish(publication);
        for (const h of publication.registration.infoHashes) await expectAnnounceable(h, at);
      },
      (publication) => publication.key.key,
    );
    expect(steps.slice(0, 3)).toEqual(['PutObjectCommand', 'PutObjectCommand', 'TransactWriteItemsCommand']);
  }, 240_000);

  it('"Assemble torrent" in the hashing workflow: published with its registration, or retried', async () => {
    const tasksOn = (c: AwsClients) => makeWorkflowTasks(workflowTaskDeps(c, names, WORKFLOW));
    const steps = await everyCrashPoint(
      async (run) => {
        const key = `workflow/${run}.bin`;
        const size = 200_000;
        await putObject(clients, bucket, key, testBytes(size, run.length + 7));
        const head = await new S3ObjectStore(clients.s3).head(bucket, key);
        const identity = objectIdentity(head);
        const jobId = jobIdFor(bucket, key, identity, 'v1');
        const ref: JobRef = {
          jobId,
          attempt: 1,
          executionName: executionNameFor(jobId, 1),
          bucket,
          key,
          identity,
          etag: head.etag,
          size,
          variant: 'v1',
        };
        const { job } = inputFor(ref);
        const pieceLength = pieceLengthFor(size);
        await new DynamoDbJobStore(clients.dynamoDb, names.torrentTable).begin({
          ...job,
          pieceLength,
          piecesTotal: pieceCount(size, pieceLength),
          startedAt: new Date(),
        });
        const tasks = tasksOn(clients);
        const planned = await tasks.planChunks({ job });
        for (const chunk of planned.chunks) await tasks.hashChunk({ job, plan: planned.plan, chunk });
        return { job, plan: planned.plan };
      },
      (c, input) => tasksOn(c).assembleTorrent(input),
      async (input, at) => {
        // Published (the endpoint reads the cache before the job), or Step Functions' retry publishes it.
        const cache = new DynamoDbTorrentCache(clients.dynamoDb, names.torrentTable, clients.s3, names.metadataBucket);
        const cacheKey = { bucket, key: input.job.key, identity: input.job.identity, variant: 'v1' };
        if ((await cache.get(cacheKey, { consistent: true })) === undefined) await tasksOn(clients).assembleTorrent(input);
        const torrent = await cache.get(cacheKey, { consistent: true });
        await expectAnnounceable(torrent!.infoHash, at);
      },
      (input) => input.job.key,
    );
    expect(steps).toEqual(expect.arrayContaining(['TransactWriteItemsCommand']));
  }, 240_000);
});
