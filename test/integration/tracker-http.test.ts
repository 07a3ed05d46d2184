import { createServer, type Server } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { bdecode } from '../../lambdas/core/bencode';
import { percentEncodeBytes } from '../../lambdas/core/tracker/query-string';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { ROUTE } from '../../lambdas/http/routes';
import { trackerDeps } from '../../lambdas/tracker/deps';
import { makeTrackerHandler, UNAVAILABLE } from '../../lambdas/tracker/tracker';
import { LOCAL_CREDENTIALS } from '../../local/s3';
import { freePort } from '../../local/ports';
import { putObject, startTestService, testBytes } from '../support/service';
import { registerTorrents } from '../support/swarm';
import { announceQuery, decodeAnnounce, decodeScrape, scrapeQuery } from '../support/tracker-client';

type Service = Awaited<ReturnType<typeof startTestService>>;

async function get(url: string) {
  const res = await fetch(url);
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

const id = (name: string) => Buffer.from(name.padEnd(20, '-'));

describe('GET /announce and /scrape on the HTTP API', () => {
  let service: Service;
  let registered: Buffer;
  beforeAll(async () => {
    service = await startTestService({ announceIntervalSeconds: 120, minAnnounceIntervalSeconds: 30 });
    registered = Buffer.alloc(20, 0x42);
    await registerTorrents(service.clients.dynamoDb, service.names.swarmTable, [registered.toString('hex')]);
  });
  afterAll(() => service.stop());

  it('serves the torrents the endpoint builds, at the announce URL written into them', async () => {
    await putObject(service.clients, service.bucket, 'movie.mkv', testBytes(100_000, 9));
    const { res: torrentRes, body } = await get(`${service.apiUrl}/${service.bucket}/movie.mkv?torrent`);
    const announce = Buffer.from((bdecode(body) as { announce: Uint8Array }).announce).toString();
    expect(announce).toBe(`${service.apiUrl}/announce`);
    const infoHash = Buffer.from(torrentRes.headers.get('x-torrent-infohash')!, 'hex');

    const { res, body: answer } = await get(
      `${announce}?${announceQuery({ infoHash, peerId: id('first'), port: 6881, left: 100_000, event: 'started' })}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(decodeAnnounce(answer)).toEqual({ interval: 120, minInterval: 30, complete: 0, incomplete: 1, peers: [], peerIds: [] });

    const second = decodeAnnounce(
      (await get(`${announce}?${announceQuery({ infoHash, peerId: id('second'), port: 6882, left: 0 })}`)).body,
    );
    // Addresses come from the connection: the local HTTP API sees 127.0.0.1.
    expect(second).toMatchObject({ complete: 1, incomplete: 1, peers: ['127.0.0.1:6881'] });
  });

  it('answers the dictionary form with peer ids when compact=0, without them for no_peer_id', async () => {
    const infoHash = registered;
    await get(`${service.apiUrl}/announce?${announceQuery({ infoHash, peerId: id('dict-a'), port: 7001, left: 5 })}`);
    const withIds = decodeAnnounce(
      (await get(`${service.apiUrl}/announce?${announceQuery({ infoHash, peerId: id('dict-b'), port: 7002, left: 5, compact: 0 })}`)).body,
    );
    expect(withIds.peers).toContain('127.0.0.1:7001');
    expect(withIds.peerIds.map(String)).toContain(String(id('dict-a')));
    const withoutIds = decodeAnnounce(
      (
        await get(
          `${service.apiUrl}/announce?${announceQuery({ infoHash, peerId: id('dict-c'), port: 7003, left: 5, compact: 0, noPeerId: true })}`,
        )
      ).body,
    );
    expect(withoutIds.peers.length).toBeGreaterThan(0);
    expect(withoutIds.peerIds).toEqual([]);
  });

  it('scrapes several torrents in one request', async () => {
    const other = Buffer.alloc(20, 0x43);
    await registerTorrents(service.clients.dynamoDb, service.names.swarmTable, [other.toString('hex')]);
    // A leecher, then its `completed`: one download.
    for (const [left, event] of [
      [1, 'started'],
      [0, 'completed'],
    ] as const) {
      await get(`${service.apiUrl}/announce?${announceQuery({ infoHash: other, peerId: id('scrape-seed'), port: 7100, left, event })}`);
    }
    const { res, body } = await get(`${service.apiUrl}/scrape?${scrapeQuery([registered, other, Buffer.alloc(20, 0x44)])}`);
    expect(res.status).toBe(200);
    const scrape = decodeScrape(body);
    expect(Object.keys(scrape.files).sort()).toEqual([registered.toString('hex'), other.toString('hex')]);
    expect(scrape.files[other.toString('hex')]).toEqual({ complete: 1, incomplete: 0, downloaded: 1 });
  });

  const good = () => announceQuery({ infoHash: registered, peerId: id('bad'), port: 6881, left: 1 });
  it.each([
    [
      'an unregistered torrent',
      () => announceQuery({ infoHash: Buffer.alloc(20, 0x99), peerId: id('x'), port: 6881, left: 1 }),
      /unregistered torrent/,
    ],
    ['no parameters', () => '', /info_hash is missing|is missing/],
    [
      'a 19-byte info_hash',
      () => good().replace(/^info_hash=[^&]*/, `info_hash=${percentEncodeBytes(Buffer.alloc(19, 1))}`),
      /info_hash must be 20 bytes/,
    ],
    ['port 0', () => good().replace('port=6881', 'port=0'), /port/],
    ['port 70000', () => good().replace('port=6881', 'port=70000'), /port/],
    ['a broken escape', () => `${good()}&key=%Q1`, /malformed/],
    ['an unknown event', () => `${good()}&event=exploded`, /event/],
  ])('answers %s with HTTP 200 and a failure reason', async (_, query, reason) => {
    const { res, body } = await get(`${service.apiUrl}/announce?${query()}`);
    expect(res.status).toBe(200);
    expect(decodeAnnounce(body).failure).toMatch(reason);
  });

  it('refuses a scrape of every torrent: it is not an open tracker', async () => {
    const { res, body } = await get(`${service.apiUrl}/scrape`);
    expect(res.status).toBe(200);
    expect(decodeScrape(body).failure).toMatch(/at least one info_hash/);
  });
});

describe('when DynamoDB fails', () => {
  const logger = new Logger({ logLevel: 'SILENT' });
  const event = (rawQueryString: string) =>
    ({
      routeKey: ROUTE.ANNOUNCE,
      rawQueryString,
      requestContext: { requestId: 'r', http: { sourceIp: '192.0.2.1', method: 'GET' } },
    }) as unknown as APIGatewayProxyEventV2;
  const query = announceQuery({ infoHash: Buffer.alloc(20, 1), peerId: id('outage'), port: 6881, left: 1 });
  const failureOf = (body: string | undefined) =>
    Buffer.from((bdecode(Buffer.from(body ?? '', 'base64')) as Record<string, Uint8Array>)['failure reason']!).toString();
  const handlerFor = (endpoint: string, deadlineMs?: number) => {
    const clients = createAwsClients({ dynamoDbEndpoint: endpoint, credentials: LOCAL_CREDENTIALS, region: 'us-east-1' });
    const deps = trackerDeps(
      clients,
      { swarmTable: 'swarm', signingKey: Buffer.alloc(32, 1), policy: { interval: 60, minInterval: 10 }, trustIpHints: false },
      logger,
    );
    return { handler: makeTrackerHandler({ ...deps, deadlineMs }), clients };
  };

  it('answers a failure reason, not a 5xx, when DynamoDB refuses connections', async () => {
    const { handler, clients } = handlerFor(`http://127.0.0.1:${await freePort()}`);
    const result = await handler(event(query));
    clients.dynamoDb.destroy();
    expect(result.statusCode).toBe(200);
    expect(failureOf(result.body)).toBe(UNAVAILABLE);
  });

  it('answers a failure reason within its deadline when DynamoDB hangs', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const { handler, clients } = handlerFor(`http://127.0.0.1:${port}`, 300);
    const started = Date.now();
    const result = await handler(event(query));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.statusCode).toBe(200);
    expect(failureOf(result.body)).toBe(UNAVAILABLE);
    clients.dynamoDb.destroy();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });
});
