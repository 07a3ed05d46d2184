import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { encodeGateValue } from '../../lambdas/core/gate/gate-value';
import { gateServes, type GateState } from '../../lambdas/core/gate/gate-policy';
import { PARKABLE_USER_AGENT } from '../../lambdas/core/gate/parkable-clients';
import { formatTicket, newTicket, type Ticket } from '../../lambdas/core/gate/ticket';
import { parseSourceEntry } from '../../lambdas/config/sources';
import { edgeSourcesOf, WEB_SEED_FUNCTION_FILE, webSeedFunctionSource } from '../../lambdas/edge/function-source';
import { publicObjectPath, webSeedOriginId } from '../../lambdas/web-seeds/cloudfront-paths';
import {
  loadCloudFrontFunction,
  MAX_FUNCTION_BYTES,
  responseBody,
  viewerRequestEvent,
  type FunctionOutcome,
} from '../../local/cloudfront-function-shim';

const INFOHASH = 'aabbccddeeff00112233445566778899aabbccdd';
const ticket = (n: number): Ticket => newTicket(INFOHASH, Buffer.from([n, n, n, n, n]));
const LIBTORRENT = 'libtorrent/2.0.8.0';
const USER_AGENTS = {
  libtorrent: LIBTORRENT,
  qbittorrent: 'qBittorrent/4.5.2',
  deluge: 'Deluge/2.1.1 libtorrent/2.0.8.0',
  aria2: 'aria2/1.36.0',
  transmission: 'Transmission/3.00',
};
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('the swarm-aware gate in the web-seed function (lambdas/edge/web-seed-gate.js) under the CloudFront shim', () => {
  const store = new Map<string, string>();
  const fn = loadCloudFrontFunction(webSeedFunctionSource([parseSourceEntry('my-bucket')]), { get: async (key) => store.get(key) });
  const run = (target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<FunctionOutcome> =>
    fn.run(viewerRequestEvent({ method, target, headers, viewerIp: '127.0.0.1', domain: 'd.example', requestId: 'r' }));
  const gate = (state: GateState) => store.set(ticket(1).gateKey, encodeGateValue(state));
  const gatedPath = (t: Ticket, key = 'dir/file.bin') => publicObjectPath({ bucket: 'my-bucket', key, ticket: t });
  beforeEach(() => store.clear());

  it('fits CloudFront Functions size limit and starts with the cloudfront import', () => {
    const source = readFileSync(WEB_SEED_FUNCTION_FILE);
    expect(source.length).toBeLessThan(MAX_FUNCTION_BYTES);
    expect(source.toString()).toMatch(/^import cf from 'cloudfront';\n/);
  });

  it('sends a plain path to the bucket origin with the key as the path, never gated', async () => {
    gate({ open: [], seeders: 1, until: nowSeconds() + 60 });
    expect(await run('/my-bucket/dir/a%20b.bin', { 'user-agent': LIBTORRENT })).toEqual({
      kind: 'origin',
      originId: webSeedOriginId('my-bucket'),
      request: expect.objectContaining({ uri: '/dir/a%20b.bin' }),
    });
  });

  it('allows any bucket when the service allows `*` (local runs)', async () => {
    const any = loadCloudFrontFunction(webSeedFunctionSource(edgeSourcesOf('*')), { get: async () => undefined });
    const event = viewerRequestEvent({
      method: 'GET',
      target: '/any-bucket/k',
      headers: {},
      viewerIp: '127.0.0.1',
      domain: 'd',
      requestId: 'r',
    });
    expect(await any.run(event)).toMatchObject({ kind: 'origin', originId: 's3-any-bucket' });
  });

  it('serves a gated path when the torrent has no gate entry', async () => {
    const outcome = await run(gatedPath(ticket(1)), { 'user-agent': LIBTORRENT, range: 'bytes=0-16383' });
    expect(outcome).toMatchObject({ kind: 'origin', originId: 's3-my-bucket', request: { uri: '/dir/file.bin' } });
  });

  it('parks a libtorrent-family client whose ticket the live gate lacks, with a range it did not ask for', async () => {
    gate({ open: [{ id: ticket(2).id, since: 0 }], seeders: 1, until: nowSeconds() + 60 });
    for (const ua of [USER_AGENTS.libtorrent, USER_AGENTS.qbittorrent, USER_AGENTS.deluge]) {
      const outcome = await run(gatedPath(ticket(1)), { 'user-agent': ua, range: 'bytes=1048576-17825791' });
      expect(outcome.kind).toBe('response');
      if (outcome.kind !== 'response') return;
      expect(outcome.response.statusCode).toBe(206);
      expect(outcome.response.headers?.['content-range']?.value).toBe('bytes 1048576-1048576/*');
      expect(responseBody(outcome.response)).toHaveLength(1);
    }
  });

  it('answers a one-byte request with a two-byte park, so the range never matches', async () => {
    gate({ open: [], seeders: 1, until: nowSeconds() + 60 });
    const outcome = await run(gatedPath(ticket(1)), { 'user-agent': LIBTORRENT, range: 'bytes=99-99' });
    expect(outcome).toMatchObject({ kind: 'response', response: { headers: { 'content-range': { value: 'bytes 99-100/*' } } } });
    if (outcome.kind === 'response') expect(responseBody(outcome.response)).toHaveLength(2);
  });

  it('serves clients that drop a refusing web seed (aria2, Transmission), HEAD requests, open tickets and stale gates', async () => {
    gate({ open: [{ id: ticket(2).id, since: 0 }], seeders: 1, until: nowSeconds() + 60 });
    for (const ua of [USER_AGENTS.aria2, USER_AGENTS.transmission, '']) {
      expect((await run(gatedPath(ticket(1)), { 'user-agent': ua })).kind).toBe('origin');
    }
    expect((await run(gatedPath(ticket(1)), { 'user-agent': LIBTORRENT }, 'HEAD')).kind).toBe('origin');
    expect((await run(gatedPath(ticket(2)), { 'user-agent': LIBTORRENT })).kind).toBe('origin');
    gate({ open: [], seeders: 1, until: nowSeconds() - 1 });
    expect((await run(gatedPath(ticket(1)), { 'user-agent': LIBTORRENT })).kind).toBe('origin');
    store.set(ticket(1).gateKey, 'something else');
    expect((await run(gatedPath(ticket(1)), { 'user-agent': LIBTORRENT })).kind).toBe('origin');
  });

  it('turns a version segment into versionId for the S3 origin', async () => {
    const path = publicObjectPath({ bucket: 'my-bucket', key: 'k.bin', versionId: 'v+1/2', ticket: ticket(1) });
    expect(path).toBe(`/_${formatTicket(ticket(1))}/~v%2B1%2F2/my-bucket/k.bin`);
    expect(await run(path)).toMatchObject({
      kind: 'origin',
      request: { uri: '/k.bin', querystring: { versionId: { value: 'v%2B1%2F2' } } },
    });
  });

  it('refuses paths that name no object, and a ticket on a private path', async () => {
    expect(await run(`/_${formatTicket(ticket(1))}/-/private/my-bucket/k`)).toMatchObject({
      kind: 'response',
      response: { statusCode: 404 },
    });
    for (const path of ['/', '/_nothex.aaaaaaaa/my-bucket/k', '/my-bucket', '/my-bucket/', '/UPPER/key']) {
      expect(await run(path)).toMatchObject({ kind: 'response', response: { statusCode: 400 } });
    }
  });

  it('decides as the policy does, for any gate, ticket and client', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 10 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: -100, max: 100 }),
        fc.constantFrom(...Object.values(USER_AGENTS)),
        fc.boolean(),
        async (openIds, asking, untilOffset, userAgent, hasGate) => {
          store.clear();
          const now = nowSeconds();
          // Keep clear of the second boundary the function reads its own clock at.
          const until = now + untilOffset + (untilOffset >= 0 ? 2 : 0);
          const state: GateState = { open: openIds.map((n) => ({ id: ticket(n).id, since: 0 })), seeders: 0, until };
          if (hasGate) gate(state);
          const outcome = await run(gatedPath(ticket(asking)), { 'user-agent': userAgent, range: 'bytes=0-16383' });
          const served = !PARKABLE_USER_AGENT.test(userAgent) || gateServes(hasGate ? state : undefined, ticket(asking).id, now);
          expect(outcome.kind).toBe(served ? 'origin' : 'response');
        },
      ),
      { numRuns: 300 },
    );
  });
});
