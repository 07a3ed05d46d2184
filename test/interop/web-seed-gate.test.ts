import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveQbittorrent, haveTransmission, startClient, type ClientKind, type RunningClient } from '../support/bittorrent-clients';
import { haveAria2, haveLibtorrent } from '../support/programs';
import { putObject, startTestService, testBytes } from '../support/service';

/**
 * Real clients and the swarm-aware web seed on `npm start`'s pieces: the local CloudFront stand-in
 * (the edge function under its shim), the KeyValueStore stand-in fed by the gate table's stream,
 * the tracker. Every client keeps its default settings (libtorrent's and qBittorrent's SSRF
 * mitigation included: the web seed and the announce URL carry no query they would refuse).
 */
type Service = Awaited<ReturnType<typeof startTestService>>;

const SIZE = 8 * 1024 * 1024 + 4321;
const available: Record<ClientKind, () => boolean> = {
  libtorrent: haveLibtorrent,
  qbittorrent: haveQbittorrent,
  aria2: haveAria2,
  transmission: haveTransmission,
};

describe('real clients through the gated web seed', () => {
  let service: Service;
  let dir: string;
  const running: RunningClient[] = [];

  beforeAll(async () => {
    service = await startTestService({ webSeed: { gate: {} } });
    dir = mkdtempSync(join(tmpdir(), 'gate-interop-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function torrentFor(key: string, name: string): Promise<string> {
    const res = await fetch(`${service.apiUrl}/${service.bucket}/${key}?torrent`);
    expect(res.status).toBe(200);
    const path = join(dir, `${name}.torrent`);
    writeFileSync(path, Buffer.from(await res.arrayBuffer()));
    return path;
  }

  async function start(kind: ClientKind, torrentPath: string, name: string, options: { uploadRate?: number; timeoutMs?: number } = {}) {
    const client = await startClient(kind, {
      torrentPath,
      saveDir: join(dir, name),
      timeoutMs: options.timeoutMs ?? 90_000,
      webSeedPort: service.webSeed!.gateway.port,
      uploadRate: options.uploadRate,
    });
    running.push(client);
    return client;
  }

  it.each(['aria2', 'libtorrent', 'qbittorrent', 'transmission'] as const)(
    '%s downloads a public object from the gateway',
    async (kind) => {
      if (!available[kind]()) return;
      // Its own object: the first downloader of a torrent is always served.
      const data = testBytes(SIZE, kind.length);
      const key = `solo/${kind}.bin`;
      await putObject(service.clients, service.bucket, key, data);
      const client = await start(kind, await torrentFor(key, kind), kind);
      await client.finished;
      expect(readFileSync(join(dir, kind, `${kind}.bin`)).equals(data)).toBe(true);
    },
    120_000,
  );

  (haveLibtorrent() ? it : it.skip)(
    'a late libtorrent downloads mostly from the seeders while they stay, and gets S3 back when they leave',
    async () => {
      const data = testBytes(SIZE, 77);
      const key = 'swarm/shared.bin';
      await putObject(service.clients, service.bucket, key, data);
      const gateway = service.webSeed!.gateway;

      // The first downloader: served by S3 from its first request (its ticket opens at issuance, so
      // no park, no 30 s retry), then a seeder. Its speed is the benchmark's business, not a test's.
      gateway.resetCounts();
      const first = await start('libtorrent', await torrentFor(key, 'first'), 'first');
      const firstDone = await first.finished;
      expect(gateway.totals.parked).toBe(0);
      // It has no peer: every byte came from the gateway. (The peer's own byte counts are read at
      // its finish alert, which can come before the last blocks' alerts: not a complete count.)
      expect(firstDone.peerBytes).toBe(0);
      expect(gateway.totals.originBytes).toBeGreaterThanOrEqual(SIZE);

      // A late one, while a seeder is there: parked, it downloads from the seeder. It will seed slowly.
      const late = await start('libtorrent', await torrentFor(key, 'late'), 'late', { uploadRate: 150_000 });
      const lateDone = await late.finished;
      expect(readFileSync(join(dir, 'late', 'shared.bin')).equals(data)).toBe(true);
      expect(lateDone.peerBytes).toBeGreaterThan(0.9 * SIZE);

      // A third, behind that slow seeder alone; the seeder leaves while the third is under way.
      await first.stop();
      gateway.resetCounts();
      const third = await start('libtorrent', await torrentFor(key, 'third'), 'third', { timeoutMs: 150_000 });
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && !(gateway.totals.parked > 0 && progressOf(third) > 0)) await new Promise((r) => setTimeout(r, 200));
      expect(gateway.totals.parked).toBeGreaterThan(0);
      expect(progressOf(third)).toBeLessThan(0.9);
      await late.stop();
      const leftAt = Date.now();
      const thirdDone = await third.finished;
      expect(readFileSync(join(dir, 'third', 'shared.bin')).equals(data)).toBe(true);
      // Back on S3 without a restart: libtorrent retries a parked web seed every 30 s.
      expect(thirdDone.webSeedBytes).toBeGreaterThan(0);
      expect((Date.now() - leftAt) / 1000).toBeLessThan(75);
    },
    240_000,
  );
});

function progressOf(client: RunningClient): number {
  const last = [...client.events].reverse().find((e) => e.event === 'progress');
  return Number(last?.progress ?? 0);
}
