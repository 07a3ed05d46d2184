/**
 * Experiment: what real clients do with a web seed that "parks" them (answers a refusal they may
 * retry) and later serves again. Each client downloads a single-file torrent whose only source is
 * a web seed on 127.0.0.1 (no peers: the tracker URL points at a closed port). The web seed parks
 * every request in a window, then serves at a capped rate; every request is logged.
 *
 *   npx tsx bench/experiments/park-response.ts [--clients libtorrent,qbittorrent,aria2,transmission]
 *     [--parks p200,p206,s503] [--scenarios from-start,mid-download] [--park-seconds 40]
 *
 * Park responses:
 *   p200  200 OK, Content-Length: 1, a 1-byte body (libtorrent reads a 200 as bytes 0..length)
 *   p206  206, Content-Range: bytes <first>-<first>/<size>, a 1-byte body (a well-formed range
 *         that is not the one asked for)
 *   s503  503 Service Unavailable with Retry-After: 5 (the refusal LOCAL-AWS.md measured)
 * Scenarios:
 *   from-start    park from the first request for --park-seconds, then serve
 *   mid-download  serve until a quarter of the file went out, park for --park-seconds, serve again
 * Findings are summarised in docs/web-seed.md.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeInfoV1 } from '../../lambdas/core/info-dict';
import { hashPieces } from '../../lambdas/core/piece-hasher';
import { encodeTorrentFile } from '../../lambdas/core/torrent-file';
import { freePort } from '../../local/ports';
import { CLIENT_KINDS, startClient, type ClientKind } from '../../test/support/bittorrent-clients';
import { testBytes } from '../../test/support/service';

type Park = 'p200' | 'p206' | 's503';
type Scenario = 'from-start' | 'mid-download';

const SIZE = 24 * 1024 * 1024;
const PIECE = 256 * 1024;
const RATE = 2 * 1024 * 1024;
const NAME = 'parked.bin';

interface LoggedRequest {
  readonly t: number;
  readonly range: string;
  readonly answer: 'served' | Park;
  readonly userAgent: string;
  bytes: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: CLIENT_KINDS.join(',') },
      parks: { type: 'string', default: 'p200,p206' },
      scenarios: { type: 'string', default: 'from-start,mid-download' },
      'park-seconds': { type: 'string', default: '40' },
      timeout: { type: 'string', default: '200' },
    },
  });
  const clients = values.clients.split(',') as ClientKind[];
  const parks = values.parks.split(',') as Park[];
  const scenarios = values.scenarios.split(',') as Scenario[];
  const parkMs = Number(values['park-seconds']) * 1000;
  const timeoutMs = Number(values.timeout) * 1000;
  const data = testBytes(SIZE, 7);
  const work = mkdtempSync(join(tmpdir(), 'park-'));
  try {
    for (const scenario of scenarios) {
      for (const park of parks) {
        // Clients run side by side, each against its own web seed.
        const results = await Promise.all(clients.map((kind) => runOne(kind, park, scenario, parkMs, timeoutMs, data, work)));
        for (const r of results) console.log(JSON.stringify(r));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function runOne(kind: ClientKind, park: Park, scenario: Scenario, parkMs: number, timeoutMs: number, data: Buffer, work: string) {
  const dir = join(work, `${kind}-${park}-${scenario}`);
  const port = await freePort();
  const started = Date.now();
  const log: LoggedRequest[] = [];
  let served = 0;
  let parkFrom = scenario === 'from-start' ? 0 : Infinity;
  const parked = () => {
    const now = Date.now() - started;
    if (parkFrom === Infinity && served >= SIZE / 4) parkFrom = now;
    return now >= parkFrom && now < parkFrom + parkMs;
  };
  const server = createServer((req, res) => {
    void answer(req, res);
  });
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const range = req.headers.range ?? '';
    const m = /^bytes=(\d+)-(\d*)$/.exec(range);
    const first = m ? Number(m[1]) : 0;
    const last = m && m[2] !== '' ? Number(m[2]) : SIZE - 1;
    const entry: LoggedRequest = {
      t: (Date.now() - started) / 1000,
      range,
      answer: parked() ? park : 'served',
      userAgent: String(req.headers['user-agent'] ?? ''),
      bytes: 0,
    };
    log.push(entry);
    if (entry.answer === 'p200') return void res.writeHead(200, { 'content-length': '1' }).end('x');
    if (entry.answer === 'p206') {
      return void res.writeHead(206, { 'content-length': '1', 'content-range': `bytes ${first}-${first}/${SIZE}` }).end('x');
    }
    if (entry.answer === 's503') return void res.writeHead(503, { 'retry-after': '5', 'content-length': '0' }).end();
    const headers = { 'content-length': String(last - first + 1), 'accept-ranges': 'bytes' };
    res.writeHead(m ? 206 : 200, m ? { ...headers, 'content-range': `bytes ${first}-${last}/${SIZE}` } : headers);
    // Capped rate: 64 KiB slices paced to RATE.
    for (let at = first; at <= last && !res.destroyed; at += 65536) {
      const slice = data.subarray(at, Math.min(last + 1, at + 65536));
      const ok = res.write(slice);
      served += slice.length;
      entry.bytes += slice.length;
      if (!ok) await new Promise((r) => res.once('drain', r));
      await new Promise((r) => setTimeout(r, (slice.length / RATE) * 1000));
    }
    res.end();
  };
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const torrentPath = join(work, `${kind}-${park}-${scenario}.torrent`);
  const info = encodeInfoV1({ name: NAME, length: SIZE, pieceLength: PIECE, pieces: hashPieces(data, PIECE) });
  const deadTracker = `http://127.0.0.1:${await freePort()}/announce`;
  writeFileSync(torrentPath, encodeTorrentFile({ info, announce: deadTracker, urlList: [`http://127.0.0.1:${port}/${NAME}`] }));
  const client = await startClient(kind, { torrentPath, saveDir: dir, timeoutMs, webSeedPort: port });
  let seconds: number | undefined;
  let error: string | undefined;
  try {
    seconds = (await client.finished).seconds;
  } catch (err) {
    error = (err as Error).message.split('\n')[0];
  }
  await client.stop();
  server.closeAllConnections();
  server.close();
  const identical = seconds !== undefined && sha1(readFileSync(join(dir, NAME))) === sha1(data);
  const parkedRequests = log.filter((r) => r.answer !== 'served');
  const servedAfterPark = log.find((r) => r.answer === 'served' && r.t * 1000 >= parkFrom + parkMs);
  return {
    client: kind,
    park,
    scenario,
    parkedFrom: parkFrom === Infinity ? null : parkFrom / 1000,
    finishedSeconds: seconds ?? null,
    identical,
    error,
    requests: log.length,
    parkedRequests: parkedRequests.length,
    parkedAt: parkedRequests.map((r) => r.t).slice(0, 12),
    firstServedAfterPark: servedAfterPark?.t ?? null,
    userAgent: log[0]?.userAgent,
    urlSeedAlerts: client.events.filter((e) => e.event === 'url_seed').map((e) => e.message),
  };
}

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
