import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bdecode } from '../../lambdas/core/bencode';
import { haveQbittorrent, startClient, type RunningClient } from '../support/bittorrent-clients';
import { freePorts, npmStart, type NpmStartPorts, type ReadyNpmStart } from '../support/npm-start';
import { haveLibtorrent } from '../support/programs';
import { testBytes } from '../support/service';

/**
 * Plain `npm start` (no web-seed option) as a newcomer runs it, and the two clients whose default
 * SSRF mitigation refuses a loopback web seed with a query string: their web seed is the local
 * gateway, its URL has no query string before or after redirects, and they download with their
 * defaults.
 */
jest.setTimeout(240_000);

const SIZE = 3 * 1024 * 1024 + 77;

describe('plain npm start serves web seeds through the local gateway', () => {
  let ports: NpmStartPorts;
  let service: ReadyNpmStart;
  let dir: string;
  const running: RunningClient[] = [];

  beforeAll(async () => {
    ports = await freePorts();
    service = await npmStart(ports, ['--memory', '--log-level', 'ERROR']);
    dir = mkdtempSync(join(tmpdir(), 'npm-start-web-seed-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await service?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** Uploads (an unsigned PUT, as the README's Try it does) and fetches the torrent. */
  async function published(key: string, data: Buffer): Promise<{ torrentPath: string; webSeed: string }> {
    expect((await fetch(`${service.s3Endpoint}/demo/${key}`, { method: 'PUT', body: data })).status).toBe(200);
    const res = await fetch(`${service.apiUrl}/demo/${key}?torrent`);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const urlList = (bdecode(bytes) as Record<string, Uint8Array | Uint8Array[]>)['url-list'];
    const torrentPath = join(dir, `${key}.torrent`);
    writeFileSync(torrentPath, bytes);
    return { torrentPath, webSeed: Buffer.from((Array.isArray(urlList) ? urlList[0] : urlList) as Uint8Array).toString() };
  }

  it('prints the gateway, and torrents name it with no query string, before or after redirects', async () => {
    expect(service.output()).toMatch(new RegExp(`Web seeds\\s+http://127\\.0\\.0\\.1:${ports.gateway}\\s`));
    const { webSeed } = await published('plain.bin', testBytes(SIZE, 1));
    expect(webSeed.startsWith(`http://127.0.0.1:${ports.gateway}/`)).toBe(true);
    expect(webSeed).not.toContain('?');
    const served = await fetch(webSeed, { headers: { range: 'bytes=0-99' } });
    expect([served.status, served.redirected, new URL(served.url).search]).toEqual([206, false, '']);
    // The front door (the object's URL without ?torrent) ends at a query-free URL too.
    const front = await fetch(`${service.apiUrl}/demo/plain.bin`, { headers: { range: 'bytes=0-99' } });
    expect([front.status, new URL(front.url).search, new URL(front.url).port]).toEqual([206, '', String(ports.gateway)]);
  });

  const clients = [
    ['libtorrent', haveLibtorrent],
    ['qbittorrent', haveQbittorrent],
  ] as const;
  it.each(clients)('%s with its default settings (SSRF mitigation on) downloads from it', async (kind, have) => {
    if (!have()) return;
    const data = testBytes(SIZE, kind.length + 10);
    const { torrentPath } = await published(`${kind}.bin`, data);
    const client = await startClient(kind, { torrentPath, saveDir: join(dir, kind), timeoutMs: 120_000 });
    running.push(client);
    await client.finished;
    expect(readFileSync(join(dir, kind, `${kind}.bin`)).equals(data)).toBe(true);
  });
});
