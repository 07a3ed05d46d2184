import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbSwarmStore, peerEntry } from '../../lambdas/adapters/dynamodb-swarm-store';
import { peerLifetime } from '../../lambdas/core/tracker/announce-policy';
import type { AnnounceRequest } from '../../lambdas/core/tracker/requests';
import { peerPlacement } from '../../lambdas/core/tracker/swarm-sample';
import { TrackerError } from '../../lambdas/core/tracker/tracker-error';
import { SWARM_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { SAMPLE_LIMIT, TrackerService, UNREGISTERED_TORRENT } from '../../lambdas/tracker/tracker-service';
import { createTestTable, testClients, uniqueSuffix } from '../support/service';
import { registerTorrents } from '../support/swarm';

const clients = testClients();
const table = `swarm-${uniqueSuffix()}`;
const policy = { interval: 60, minInterval: 10 };

/** Counts the items every Query reads, to show that announces read a bounded slice of the swarm. */
function countingClient(db: DynamoDBDocumentClient, scanned: number[]): DynamoDBDocumentClient {
  return {
    send: async (command: unknown) => {
      const out = await db.send(command as QueryCommand);
      if (command instanceof QueryCommand) scanned.push((out as { ScannedCount?: number }).ScannedCount ?? 0);
      return out;
    },
  } as unknown as DynamoDBDocumentClient;
}

const scanned: number[] = [];
const store = new DynamoDbSwarmStore(countingClient(clients.dynamoDb, scanned), table);
let now = new Date('2030-01-01T00:00:00Z');
const tracker = new TrackerService({ store, policy, clock: () => now, registrationCacheSeconds: 0 });

let torrentCounter = 0;
async function registeredTorrent(): Promise<Buffer> {
  const infoHash = Buffer.alloc(20);
  infoHash.write(`torrent-${uniqueSuffix()}-${torrentCounter++}`);
  await registerTorrents(clients.dynamoDb, table, [infoHash.toString('hex')]);
  return infoHash;
}

const peerId = (name: string) => Buffer.from(name.padEnd(20, '.').slice(0, 20));

function request(infoHash: Uint8Array, name: string, fields: Partial<AnnounceRequest> = {}): AnnounceRequest {
  return {
    infoHash,
    peerId: peerId(name),
    port: 6881,
    uploaded: 0,
    downloaded: 0,
    left: 100,
    event: 'update',
    numwant: 50,
    compact: true,
    noPeerId: false,
    key: Buffer.from(name).toString('hex'),
    addresses: { ipv4: `10.0.0.${name.charCodeAt(0)}` },
    ...fields,
  };
}

const ids = (peers: readonly { peerId: Uint8Array }[]) => peers.map((p) => Buffer.from(p.peerId).toString().replace(/\.+$/, '')).sort();

beforeAll(async () => {
  await createTestTable(table, SWARM_TABLE_SCHEMA);
});
afterAll(() => {
  clients.s3.destroy();
  clients.dynamoDb.destroy();
});
beforeEach(() => {
  now = new Date('2030-01-01T00:00:00Z');
});

describe('whitelist', () => {
  it('refuses announces and scrapes for torrents this service did not build, and stores nothing', async () => {
    const stranger = Buffer.alloc(20, 0x5a);
    await expect(tracker.announce(request(stranger, 'a'))).rejects.toThrow(new TrackerError(UNREGISTERED_TORRENT));
    await expect(tracker.scrape([stranger])).rejects.toThrow(TrackerError);
    const items = await clients.dynamoDb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'infoHash = :h',
        ExpressionAttributeValues: { ':h': stranger.toString('hex') },
      }),
    );
    expect(items.Count).toBe(0);
  });
});

describe('announce lifecycle', () => {
  it('started, completed and stopped: counts, peers, the downloaded counter and immediate removal', async () => {
    const t = await registeredTorrent();
    const first = await tracker.announce(request(t, 'leecher', { event: 'started' }));
    expect(first).toMatchObject({ interval: 60, minInterval: 10, complete: 0, incomplete: 1, peers: [] });

    const seeding = await tracker.announce(request(t, 'seeder', { event: 'started', left: 0 }));
    expect(seeding).toMatchObject({ complete: 1, incomplete: 1 });
    expect(ids(seeding.peers)).toEqual(['leecher']);

    const again = await tracker.announce(request(t, 'leecher'));
    expect(ids(again.peers)).toEqual(['seeder']);

    const done = await tracker.announce(request(t, 'leecher', { event: 'completed', left: 0 }));
    expect(done).toMatchObject({ complete: 2, incomplete: 0 });
    // A seeder is given no seeders.
    expect(done.peers).toEqual([]);
    // A repeated `completed` is not a second download.
    await tracker.announce(request(t, 'leecher', { event: 'completed', left: 0 }));
    expect((await tracker.scrape([t]))[0]).toMatchObject({ complete: 2, incomplete: 0, downloaded: 1 });

    const stopped = await tracker.announce(request(t, 'leecher', { event: 'stopped', left: 0 }));
    expect(stopped).toMatchObject({ complete: 1, incomplete: 0, peers: [] });
    const left = await clients.dynamoDb.send(
      new GetCommand({
        TableName: table,
        Key: { infoHash: t.toString('hex'), entry: peerEntry(peerPlacement(peerId('leecher')), peerId('leecher')) },
      }),
    );
    // No peer is left: only the marker of the stop (no address, no port), which no read counts.
    expect(left.Item).toEqual({
      infoHash: t.toString('hex'),
      entry: expect.any(String),
      stoppedAt: expect.any(Number),
      expiresAt: expect.any(Number),
    });
    expect((await tracker.scrape([t]))[0]).toMatchObject({ complete: 1, incomplete: 0, downloaded: 1 });
  });

  it('counts a leecher that stops with nothing left as a download, once (aria2 with --seed-time=0 never says completed)', async () => {
    const t = await registeredTorrent();
    await tracker.announce(request(t, 'aria2', { event: 'started' }));
    await tracker.announce(request(t, 'aria2', { event: 'stopped', left: 0 }));
    await tracker.announce(request(t, 'aria2', { event: 'stopped', left: 0 }));
    await tracker.announce(request(t, 'other', { event: 'started' }));
    await tracker.announce(request(t, 'other', { left: 0 }));
    await tracker.announce(request(t, 'other', { event: 'completed', left: 0 }));
    expect((await tracker.scrape([t]))[0]).toMatchObject({ complete: 1, incomplete: 0, downloaded: 2 });
  });

  it("counts Transmission's `started` with nothing left followed by `completed` (it finished before announcing), once", async () => {
    const t = await registeredTorrent();
    await tracker.announce(request(t, 'transmission', { event: 'started', left: 0 }));
    await tracker.announce(request(t, 'transmission', { event: 'completed', left: 0 }));
    // A retried `completed` (its answer lost) and later announces are not new downloads.
    await tracker.announce(request(t, 'transmission', { event: 'completed', left: 0 }));
    await tracker.announce(request(t, 'transmission', { left: 0 }));
    expect((await tracker.scrape([t]))[0]).toMatchObject({ complete: 1, downloaded: 1 });
  });

  it('counts concurrent repeats of one `completed` once', async () => {
    const t = await registeredTorrent();
    await tracker.announce(request(t, 'racer', { event: 'started' }));
    await Promise.allSettled(Array.from({ length: 4 }, () => tracker.announce(request(t, 'racer', { event: 'completed', left: 0 }))));
    expect((await tracker.scrape([t]))[0]).toMatchObject({ complete: 1, downloaded: 1 });
  });

  it('counts one download per peer id: completed, stopped, started and completed again count once', async () => {
    const t = await registeredTorrent();
    await tracker.announce(request(t, 'again', { event: 'started' }));
    await tracker.announce(request(t, 'again', { event: 'completed', left: 0 }));
    await tracker.announce(request(t, 'again', { event: 'stopped', left: 0 }));
    await tracker.announce(request(t, 'again', { event: 'started' }));
    await tracker.announce(request(t, 'again', { event: 'completed', left: 0 }));
    // Even once its entry has expired.
    now = new Date(now.getTime() + (peerLifetime(policy) + 1) * 1000);
    await tracker.announce(request(t, 'again', { event: 'started' }));
    await tracker.announce(request(t, 'again', { event: 'completed', left: 0 }));
    expect((await tracker.scrape([t]))[0]).toMatchObject({ complete: 1, downloaded: 1 });
  });

  it('does not count `completed` from a peer id it has not seen before (nothing shows it downloaded here)', async () => {
    const t = await registeredTorrent();
    for (const name of ['fresh1', 'fresh2', 'fresh3']) await tracker.announce(request(t, name, { event: 'completed', left: 0 }));
    await tracker.announce(request(t, 'fresh4', { event: 'stopped', left: 0 }));
    expect((await tracker.scrape([t]))[0]).toMatchObject({ complete: 3, downloaded: 0 });
  });

  it('a peer that starts as a seeder and a stop from a peer never seen count nothing', async () => {
    const t = await registeredTorrent();
    await tracker.announce(request(t, 'seed', { event: 'started', left: 0 }));
    await tracker.announce(request(t, 'ghost', { event: 'stopped' }));
    expect((await tracker.scrape([t]))[0]).toMatchObject({ complete: 1, incomplete: 0, downloaded: 0 });
  });

  it("hands out IPv6 peers, and other clients at the requester's own address on other ports", async () => {
    const t = await registeredTorrent();
    await tracker.announce(request(t, 'six', { addresses: { ipv6: '2001:db8::6' }, port: 7000 }));
    await tracker.announce(request(t, 'both', { addresses: { ipv4: '10.9.9.9', ipv6: '2001:db8::9' }, port: 7001 }));
    const answer = await tracker.announce(request(t, 'twin', { addresses: { ipv6: '2001:db8::6' }, port: 7002 }));
    expect(answer.peers.map((p) => [p.ipv4, p.ipv6, p.port])).toEqual(
      expect.arrayContaining([
        [undefined, '2001:db8::6', 7000],
        ['10.9.9.9', '2001:db8::9', 7001],
      ]),
    );
    expect(answer.peers).toHaveLength(2);
  });
});

describe('expiry', () => {
  it('drops peers past their lifetime from peers and counts although DynamoDB has not deleted them, then deletes them', async () => {
    const t = await registeredTorrent();
    await tracker.announce(request(t, 'old'));
    now = new Date(now.getTime() + 30_000);
    await tracker.announce(request(t, 'recent', { left: 0 }));
    now = new Date(now.getTime() + (peerLifetime(policy) - 10) * 1000);
    // 'old' announced lifetime + 20 s ago; 'recent' 10 s short of its lifetime.
    const answer = await tracker.announce(request(t, 'observer'));
    expect(ids(answer.peers)).toEqual(['recent']);
    expect(answer).toMatchObject({ complete: 1, incomplete: 1 });
    // The announce read 'old' (DynamoDB Local, like DynamoDB, had not deleted it) and swept it.
    const items = await clients.dynamoDb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'infoHash = :h AND begins_with(entry, :p)',
        ExpressionAttributeValues: { ':h': t.toString('hex'), ':p': 'peer#' },
      }),
    );
    expect(items.Items?.map((i) => String(i.entry).slice(-40))).toEqual(
      expect.arrayContaining([peerId('recent'), peerId('observer')].map((id) => id.toString('hex'))),
    );
    expect(items.Count).toBe(2);
  });

  it('sweeps only peers that are still expired', async () => {
    const t = await registeredTorrent();
    await tracker.announce(request(t, 'comeback'));
    const stale = (await store.samplePeers(t.toString('hex'), 0, 10)).members;
    now = new Date(now.getTime() + (peerLifetime(policy) + 5) * 1000);
    // It announced again after the stale read: the stale copy must not delete it.
    await tracker.announce(request(t, 'comeback'));
    await store.removeExpiredPeers(t.toString('hex'), stale, Math.floor(now.getTime() / 1000));
    expect(ids((await tracker.announce(request(t, 'observer'))).peers)).toEqual(['comeback']);
  });

  it('lets a new client take over the peer id of an expired peer', async () => {
    const t = await registeredTorrent();
    await tracker.announce(request(t, 'reused', { addresses: { ipv4: '10.1.1.1' } }));
    now = new Date(now.getTime() + (peerLifetime(policy) + 1) * 1000);
    await expect(tracker.announce(request(t, 'reused', { addresses: { ipv4: '10.2.2.2' }, key: undefined }))).resolves.toBeDefined();
  });
});

describe('peer id ownership', () => {
  it('refuses another client using a live peer id, but follows its owner to a new address with its key', async () => {
    const t = await registeredTorrent();
    await tracker.announce(request(t, 'owner', { addresses: { ipv4: '10.1.1.1' }, key: 'aa' }));
    await expect(tracker.announce(request(t, 'owner', { addresses: { ipv4: '10.6.6.6' }, key: 'bb' }))).rejects.toThrow(
      'peer_id is in use by another client',
    );
    await expect(
      tracker.announce(request(t, 'owner', { addresses: { ipv4: '10.6.6.6' }, key: undefined, event: 'stopped' })),
    ).rejects.toThrow(TrackerError);
    const moved = await tracker.announce(request(t, 'owner', { addresses: { ipv4: '10.2.2.2' }, key: 'aa' }));
    expect(moved.incomplete).toBe(1);
    const observer = await tracker.announce(request(t, 'observer'));
    expect(observer.peers.map((p) => p.ipv4)).toEqual(['10.2.2.2']);
  });
});

describe('scrape', () => {
  it('answers several torrents at once and leaves out unregistered ones', async () => {
    const [a, b, c] = [await registeredTorrent(), await registeredTorrent(), await registeredTorrent()];
    await tracker.announce(request(a, 'a1', { left: 0 }));
    await tracker.announce(request(a, 'a2'));
    await tracker.announce(request(b, 'b1'));
    await tracker.announce(request(b, 'b2'));
    await tracker.announce(request(b, 'b2', { event: 'completed', left: 0 }));
    const stranger = Buffer.alloc(20, 0x77);
    const entries = await tracker.scrape([a, b, c, stranger]);
    expect(entries.map((e) => [Buffer.from(e.infoHash).toString('hex'), e.complete, e.incomplete, e.downloaded])).toEqual([
      [a.toString('hex'), 1, 1, 0],
      [b.toString('hex'), 1, 1, 1],
      [c.toString('hex'), 0, 0, 0],
    ]);
  });
});

describe('a swarm larger than one read', () => {
  const SWARM = 1200;
  let t: Buffer;
  beforeAll(async () => {
    t = await registeredTorrent();
    const expiresAt = Math.floor(now.getTime() / 1000) + peerLifetime(policy);
    for (let i = 0; i < SWARM; i += 40) {
      await Promise.all(
        Array.from({ length: Math.min(40, SWARM - i) }, (_, j) => {
          const id = Buffer.alloc(20);
          id.write(`-XX0001-${String(i + j).padStart(12, '0')}`);
          const n = i + j;
          const peer = {
            peerId: id,
            placement: peerPlacement(id),
            ipv4: `10.${n >> 8}.${n & 255}.1`,
            port: 6881,
            seeder: n % 4 === 0,
            expiresAt,
          };
          return store.putPeer(t.toString('hex'), peer, expiresAt - peerLifetime(policy));
        }),
      );
    }
  }, 120_000);

  it('reads a bounded slice, hands out numwant peers and estimates the counts', async () => {
    scanned.length = 0;
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => tracker.announce(request(t, `probe${i}`, { numwant: 30 }))));
    for (const a of answers) {
      expect(a.peers).toHaveLength(30);
      // Standard error is about 7% at this sample size; 35% would be five of them.
      expect(Math.abs((a.complete + a.incomplete) / SWARM - 1)).toBeLessThan(0.35);
    }
    expect(scanned.length).toBeGreaterThanOrEqual(answers.length);
    for (const items of scanned) expect(items).toBeLessThanOrEqual(SAMPLE_LIMIT);
    // Random starting points: different announces meet different peers.
    const distinct = new Set(answers.flatMap((a) => a.peers.map((p) => p.ipv4)));
    expect(distinct.size).toBeGreaterThan(100);
  });

  it('never hands out more than the sample, whatever numwant asks', async () => {
    const a = await tracker.announce(request(t, 'greedy', { numwant: 200 }));
    expect(a.peers.length).toBeLessThanOrEqual(SAMPLE_LIMIT);
    expect(a.peers.length).toBeGreaterThan(150);
  });
});
