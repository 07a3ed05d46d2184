import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeInfoV1, infoHashV1 } from '../../lambdas/core/info-dict';
import { hashPieces } from '../../lambdas/core/piece-hasher';
import { pieceLengthFor } from '../../lambdas/core/piece-length';
import { encodeTorrentFile } from '../../lambdas/core/torrent-file';
import { aria2Download, haveAria2, haveLibtorrent, PYTHON, run } from '../support/programs';
import { startTestService, testBytes } from '../support/service';
import { registerTorrents } from '../support/swarm';
import { decodeScrape, scrapeQuery } from '../support/tracker-client';

// Several pieces and a short last one; small enough to move in seconds on a shared machine.
const SIZE = 3 * 1024 * 1024 + 4_321;
const NAME = 'swarm file.bin';
const SCRIPT = join(__dirname, 'libtorrent-swarm.py');

interface SwarmSummary {
  ok: boolean;
  members: {
    name: string;
    seeding: boolean;
    tracker_replies: number;
    most_peers_from_tracker: number;
    peer_sources: string[];
    errors: string[];
  }[];
}

/**
 * Peers that can find each other only through our tracker: the torrent is built from the core with
 * the local tracker's announce URL and no web seed, and registered the way the endpoint registers
 * the torrents it builds. A short interval lets clients re-announce within the test.
 */
describe('real clients find each other only through our tracker', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let dir: string;
  let torrentPath: string;
  let infoHash: Buffer;
  const data = testBytes(SIZE, 77);

  beforeAll(async () => {
    service = await startTestService({ announceIntervalSeconds: 2, minAnnounceIntervalSeconds: 1 });
    dir = mkdtempSync(join(tmpdir(), 'tracker-interop-'));
    const pieceLength = pieceLengthFor(SIZE);
    const info = encodeInfoV1({ name: NAME, length: SIZE, pieceLength, pieces: hashPieces(data, pieceLength) });
    infoHash = Buffer.from(infoHashV1(info));
    torrentPath = join(dir, 'swarm.torrent');
    writeFileSync(torrentPath, encodeTorrentFile({ info, announce: `${service.apiUrl}/announce`, createdBy: 's3-torrent tests' }));
    await registerTorrents(service.clients.dynamoDb, service.names.swarmTable, [infoHash.toString('hex')], NAME, SIZE);
  });
  afterAll(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const seedDirectory = (name: string) => {
    const seed = join(dir, name);
    mkdirSync(seed, { recursive: true });
    writeFileSync(join(seed, NAME), data);
    return seed;
  };
  /**
   * The counts once the clients' last announces are handled. A client exits after its `stopped`
   * was sent, not necessarily answered (libtorrent waits at most stop_tracker_timeout), so the
   * tracker may still be writing it: wait for every request already received to be answered.
   */
  const settledScrape = async () => {
    await service.api.idle();
    return scrape();
  };
  const scrape = async () =>
    decodeScrape(Buffer.from(await (await fetch(`${service.apiUrl}/scrape?${scrapeQuery([infoHash])}`)).arrayBuffer())).files[
      infoHash.toString('hex')
    ];

  (haveLibtorrent() ? it : it.skip)(
    'libtorrent: a seeding session and two downloading sessions complete byte-identically',
    async () => {
      const leechers = [join(dir, 'leecher1'), join(dir, 'leecher2')];
      const r = await run(PYTHON, [SCRIPT, torrentPath, '100', seedDirectory('lt-seed'), ...leechers], 150_000);
      const summary = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as SwarmSummary;
      expect({ status: r.status, ok: summary.ok }).toEqual({ status: 0, ok: true });
      for (const leecher of leechers) expect(readFileSync(join(leecher, NAME)).equals(data)).toBe(true);
      for (const member of summary.members.slice(1)) {
        expect(member.seeding).toBe(true);
        // Our tracker handed it peers; no peer it was seen with came from DHT, PEX or LSD (all off).
        expect(member.most_peers_from_tracker).toBeGreaterThan(0);
        expect(member.peer_sources.filter((s) => !['tracker', 'incoming'].includes(s))).toEqual([]);
      }
      // Both leechers announced `completed`; every session announced `stopped` when it closed.
      expect(await settledScrape()).toEqual({ complete: 0, incomplete: 0, downloaded: 2 });
    },
    180_000,
  );

  (haveLibtorrent() && haveAria2() ? it : it.skip)(
    'aria2 announces, gets the libtorrent seeder from our tracker and downloads from it',
    async () => {
      const before = (await scrape())?.downloaded ?? 0;
      const seeder = spawn(PYTHON, [SCRIPT, torrentPath, '120', seedDirectory('aria2-seed')], { stdio: ['pipe', 'pipe', 'pipe'] });
      let seederOutput = '';
      seeder.stderr.on('data', (d: Buffer) => (seederOutput += d.toString()));
      const exited = new Promise<number | null>((resolve) => seeder.on('close', resolve));
      try {
        await new Promise<void>((resolve, reject) => {
          seeder.stdout.on('data', (d: Buffer) => {
            seederOutput += d.toString();
            if (seederOutput.includes('seeding')) resolve();
          });
          void exited.then(() => reject(new Error(`the libtorrent seeder exited early: ${seederOutput}`)));
        });
        const out = join(dir, 'aria2');
        const r = await aria2Download(torrentPath, out);
        expect(r).toMatchObject({ status: 0 });
        expect(readFileSync(join(out, NAME)).equals(data)).toBe(true);
      } finally {
        seeder.stdin.end();
        await exited;
      }
      // aria2 (with --seed-time=0) goes from leecher straight to `stopped` with nothing left, which
      // counts as a download; both clients announced `stopped` as they exited.
      expect(await settledScrape()).toEqual({ complete: 0, incomplete: 0, downloaded: before + 1 });
    },
    150_000,
  );
});
