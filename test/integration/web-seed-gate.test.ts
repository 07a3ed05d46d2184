import { bdecode } from '../../lambdas/core/bencode';
import { parseTicket, type Ticket } from '../../lambdas/core/gate/ticket';
import { putObject, startTestService, testBytes } from '../support/service';
import { announceQuery } from '../support/tracker-client';

/**
 * The swarm-aware web seed end to end on the local stand-ins, without BitTorrent clients: tickets
 * in `?torrent` answers, the tracker deciding gates from announces, the gate table's stream
 * publishing them to the KeyValueStore stand-in, and the edge function under the gateway reading them.
 */
type Service = Awaited<ReturnType<typeof startTestService>>;

const SIZE = 3 * 1024 * 1024 + 123;
const LIBTORRENT = 'libtorrent/2.0.8.0';
const peerId = (name: string) => Buffer.from(`-LT2080-${name}`.padEnd(20, '-').slice(0, 20));

describe('the swarm-aware web seed through the local gateway', () => {
  let service: Service;
  const data = testBytes(SIZE, 5);
  // Each test has its own object, so its own torrent and gate.
  const keys = ['gated/big file.bin', 'gated/second.bin', 'gated/third.bin', 'gated/fourth.bin', 'gated/fifth.bin'] as const;

  beforeAll(async () => {
    service = await startTestService({ webSeed: { gate: {}, streamIntervalMs: 50 } });
    for (const key of keys) await putObject(service.clients, service.bucket, key, data);
  });
  afterAll(() => service.stop());

  const gateway = () => service.webSeed!.gateway;
  const caughtUp = () => service.webSeed!.gateStream!.caughtUp();

  async function torrent(key: string): Promise<{ webSeed: string; announce: string; ticket: Ticket; infoHash: Buffer }> {
    const res = await fetch(`${service.apiUrl}/${service.bucket}/${encodeURI(key)}?torrent`);
    expect(res.status).toBe(200);
    const file = bdecode(Buffer.from(await res.arrayBuffer())) as Record<string, Uint8Array | Uint8Array[]>;
    const urlList = file['url-list'];
    const webSeed = Buffer.from((Array.isArray(urlList) ? urlList[0] : urlList) as Uint8Array).toString();
    const announce = Buffer.from(file.announce as Uint8Array).toString();
    const ticket = parseTicket(/\/_([^/]+)\//.exec(webSeed)?.[1] ?? '');
    if (ticket === undefined) throw new Error(`no ticket in ${webSeed}`);
    return { webSeed, announce, ticket, infoHash: Buffer.from(res.headers.get('x-torrent-infohash')!, 'hex') };
  }

  const fetchRange = (url: string, userAgent: string, first = 65536, last = 131071) =>
    fetch(url, { headers: { 'user-agent': userAgent, range: `bytes=${first}-${last}` } });

  async function announce(url: string, infoHash: Buffer, name: string, left: number, event?: 'started' | 'completed' | 'stopped') {
    const query = announceQuery({ infoHash, peerId: peerId(name), port: 6000 + name.charCodeAt(0), left, event });
    const body = Buffer.from(await (await fetch(`${url}&${query}`)).arrayBuffer()).toString('latin1');
    expect(body).not.toContain('failure reason');
  }

  it('writes a query-free web seed on the gateway with a ticket, and an announce URL with the same ticket', async () => {
    const first = await torrent(keys[0]);
    expect(first.webSeed).toMatch(new RegExp(`^${gateway().url}/_[0-9a-f]{16}\\.[a-z2-7]{8}/${service.bucket}/gated/big%20file\\.bin$`));
    expect(first.webSeed).not.toContain('?');
    expect(first.announce).toBe(`${service.apiUrl}/announce?ticket=${first.ticket.gateKey}.${first.ticket.id}`);
    expect(first.infoHash.toString('hex').startsWith(first.ticket.gateKey)).toBe(true);
  });

  it('serves the first downloader, parks the next libtorrent while the first feeds, and serves other clients', async () => {
    const first = await torrent(keys[1]);
    const second = await torrent(keys[1]);
    await caughtUp();
    const served = await fetchRange(first.webSeed, LIBTORRENT);
    expect(served.status).toBe(206);
    expect(Buffer.from(await served.arrayBuffer()).equals(data.subarray(65536, 131072))).toBe(true);

    const parked = await fetchRange(second.webSeed, LIBTORRENT);
    expect(parked.status).toBe(206);
    expect(parked.headers.get('content-range')).toBe('bytes 65536-65536/*');
    expect(parked.headers.get('x-web-seed')).toBe('parked');
    expect(Buffer.from(await parked.arrayBuffer())).toHaveLength(1);
    // aria2 and Transmission drop a web seed that refuses them: they are served.
    for (const ua of ['aria2/1.36.0', 'Transmission/3.00'])
      expect((await fetchRange(second.webSeed, ua)).headers.get('x-web-seed')).toBeNull();
  });

  it('keeps the newcomer parked while a seeder is there, and gives it S3 once the seeders left', async () => {
    const first = await torrent(keys[2]);
    const second = await torrent(keys[2]);
    await announce(first.announce, first.infoHash, 'one', SIZE, 'started');
    await announce(first.announce, first.infoHash, 'one', 0, 'completed');
    await announce(second.announce, second.infoHash, 'two', SIZE, 'started');
    await caughtUp();
    expect((await fetchRange(second.webSeed, LIBTORRENT)).headers.get('x-web-seed')).toBe('parked');

    // The seeder leaves: its `stopped` reopens the web seed for the parked downloader.
    await announce(first.announce, first.infoHash, 'one', 0, 'stopped');
    await caughtUp();
    const back = await fetchRange(second.webSeed, LIBTORRENT);
    expect(back.headers.get('x-web-seed')).toBeNull();
    expect(Buffer.from(await back.arrayBuffer()).equals(data.subarray(65536, 131072))).toBe(true);
  });

  it('gives no ticket to HEAD answers or to objects under 1 MiB', async () => {
    const head = await fetch(`${service.apiUrl}/${service.bucket}/${keys[4]}?torrent`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const small = 'gated/small.bin';
    await putObject(service.clients, service.bucket, small, testBytes(1024 * 1024 - 1, 6));
    const res = await fetch(`${service.apiUrl}/${service.bucket}/${small}?torrent`);
    const file = bdecode(Buffer.from(await res.arrayBuffer())) as Record<string, Uint8Array | Uint8Array[]>;
    const urlList = file['url-list'];
    const webSeed = Buffer.from((Array.isArray(urlList) ? urlList[0] : urlList) as Uint8Array).toString();
    expect(webSeed).toBe(`${gateway().url}/${service.bucket}/gated/small.bin`);
    expect(Buffer.from(file.announce as Uint8Array).toString()).toBe(`${service.apiUrl}/announce`);
    // The HEAD left no gate behind: the first GET is still the first downloader.
    const first = await torrent(keys[4]);
    await caughtUp();
    expect((await fetchRange(first.webSeed, LIBTORRENT)).headers.get('x-web-seed')).toBeNull();
  });

  it('counts what it serves per client', async () => {
    const { webSeed } = await torrent(keys[3]);
    gateway().resetCounts();
    await (await fetchRange(webSeed, 'aria2/1.36.0 counting', 0, 99_999)).arrayBuffer();
    expect(gateway().byUserAgent.get('aria2/1.36.0 counting')).toEqual({ requests: 1, parked: 0, originBytes: 100_000 });
  });
});
