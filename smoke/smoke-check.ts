import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bdecodeExact } from '../lambdas/core/bencode';
import { parseTorrentFile, type TorrentMetainfo } from '../lambdas/core/metainfo';
import { encodeKeyPath } from '../lambdas/http/routes';

/**
 * The smoke check of a deployment (`npm run smoke -- <ApiUrl> <bucket> <key>`): what a user does
 * first, step by step, each step checked against what the torrent itself says.
 */
export interface SmokeOptions {
  readonly apiUrl: string;
  readonly bucket: string;
  readonly key: string;
  /** `auto`: download with libtorrent when python3-libtorrent is installed. */
  readonly libtorrent: 'auto' | 'require' | 'off';
  /** How long to wait for a torrent still being built (202) and for the download. */
  readonly timeoutSeconds: number;
  readonly python?: string;
}

export interface StepResult {
  readonly step: string;
  readonly outcome: 'ok' | 'FAIL' | 'skip';
  readonly detail: string;
}

class StepFailed extends Error {}
const fail = (message: string): never => {
  throw new StepFailed(message);
};

export async function runSmokeCheck(options: SmokeOptions, report: (r: StepResult) => void = () => undefined): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let broken: string | undefined;
  const step = async (name: string, run: () => Promise<string | { skip: string }>) => {
    let result: StepResult;
    if (broken !== undefined) result = { step: name, outcome: 'skip', detail: `not run: ${broken} failed` };
    else {
      try {
        const detail = await run();
        result = typeof detail === 'string' ? { step: name, outcome: 'ok', detail } : { step: name, outcome: 'skip', detail: detail.skip };
      } catch (err) {
        broken = name;
        const message = err instanceof StepFailed ? err.message : `${(err as Error).name}: ${(err as Error).message}`;
        result = { step: name, outcome: 'FAIL', detail: message };
      }
    }
    results.push(result);
    report(result);
  };

  let torrent: { bytes: Uint8Array; meta: TorrentMetainfo } | undefined;
  const base = options.apiUrl.replace(/\/+$/, '');
  await step('torrent', async () => {
    const got = await fetchTorrent(`${base}/${options.bucket}/${encodeKeyPath(options.key)}?torrent`, options.timeoutSeconds);
    let meta: TorrentMetainfo;
    try {
      meta = parseTorrentFile(got.bytes);
    } catch (err) {
      return fail(`the answer is not a torrent: ${(err as Error).message}`);
    }
    const infoHash = meta.infoHashV1 && Buffer.from(meta.infoHashV1).toString('hex');
    if (infoHash === undefined) fail('the torrent has no v1 infohash');
    if (got.infoHashHeader !== infoHash) fail(`X-Torrent-Infohash ${got.infoHashHeader} differs from the torrent's ${infoHash}`);
    if (!meta.singleFile) fail('expected a single-file torrent');
    if (meta.webSeeds.length === 0) fail('the torrent has no web seed (url-list)');
    if (meta.trackers.length === 0) fail('the torrent has no tracker (announce)');
    torrent = { bytes: got.bytes, meta };
    return `${JSON.stringify(meta.name)}, ${meta.totalLength} bytes, ${meta.pieceCount} pieces of ${meta.pieceLength}, infohash ${infoHash} (cache ${got.cache ?? '?'}${got.waitedSeconds ? `, built in ~${got.waitedSeconds} s` : ''})`;
  });

  await step('web seed', async () => {
    const { meta } = torrent!;
    const webSeed = meta.webSeeds[0]!;
    const url = webSeed.endsWith('/') ? `${webSeed}${encodeURIComponent(meta.name)}` : webSeed;
    const end = Math.min(meta.pieceLength, meta.totalLength) - 1;
    const answer = await fetch(url, { headers: { range: `bytes=0-${end}` } });
    const body = Buffer.from(await answer.arrayBuffer());
    if (answer.status !== 206 && !(answer.status === 200 && body.length === meta.totalLength)) {
      fail(`GET ${url} with Range bytes=0-${end} answered ${answer.status}: ${body.toString('utf8').slice(0, 300)}`);
    }
    const firstPiece = body.subarray(0, end + 1);
    const expected = Buffer.from(meta.pieces!.subarray(0, 20)).toString('hex');
    const actual = createHash('sha1').update(firstPiece).digest('hex');
    if (actual !== expected) fail(`bytes 0-${end} hash to ${actual}, the torrent's first piece is ${expected}`);
    const via = answer.redirected ? `, redirected to ${new URL(answer.url).host}` : '';
    return `bytes 0-${end}: ${answer.status}${via}, SHA-1 matches piece 0`;
  });

  const peerId = Buffer.concat([Buffer.from('-SMOKE0-'), randomBytes(12)]);
  const announceUrl = () => torrent!.meta.trackers[0]![0]!;
  const infoHash = () => torrent!.meta.infoHashV1!;
  await step('announce', async () => {
    const answer = await trackerRequest(announceUrl(), announceQuery(infoHash(), peerId, torrent!.meta.totalLength, 'started'));
    const interval = answer.get('interval');
    if (typeof interval !== 'number' || interval <= 0) fail(`no interval in the announce answer`);
    return `registered: interval ${interval} s, ${countPeers(answer)} peer(s) returned`;
  });

  await step('scrape', async () => {
    const scrapeUrl = announceUrl().replace(/\/announce(?=[^/]*$)/, '/scrape');
    if (scrapeUrl === announceUrl()) return { skip: 'the announce URL does not end in /announce, so it has no scrape URL' };
    const answer = await trackerRequest(scrapeUrl, `info_hash=${percent(infoHash())}`);
    const files = answer.get('files');
    const entry = files instanceof Map ? files.get(Buffer.from(infoHash()).toString('latin1')) : undefined;
    if (!(entry instanceof Map)) return fail('the scrape does not list the torrent');
    const detail = ['complete', 'incomplete', 'downloaded'].map((k) => `${k} ${String(entry.get(k))}`).join(', ');
    // Leave the swarm again, so the check leaves no peer behind.
    await trackerRequest(announceUrl(), announceQuery(infoHash(), peerId, torrent!.meta.totalLength, 'stopped')).catch(() => undefined);
    return detail;
  });

  await step('libtorrent', async () => {
    const python = options.python ?? '/usr/bin/python3';
    if (options.libtorrent === 'off') return { skip: 'turned off (--no-libtorrent)' };
    const installed = spawnSync(python, ['-c', 'import libtorrent'], { stdio: 'ignore' }).status === 0;
    if (!installed) {
      if (options.libtorrent === 'require') fail(`python3-libtorrent is not installed (${python})`);
      return { skip: 'python3-libtorrent is not installed' };
    }
    const dir = mkdtempSync(join(tmpdir(), 's3-torrent-smoke-'));
    try {
      writeFileSync(join(dir, 'check.torrent'), torrent!.bytes);
      const started = Date.now();
      const out = await runProcess(
        python,
        [join(__dirname, 'libtorrent-download.py'), join(dir, 'check.torrent'), join(dir, 'data'), String(options.timeoutSeconds)],
        (options.timeoutSeconds + 30) * 1000,
      );
      if (out.status !== 0) fail(`libtorrent did not finish: ${out.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return `downloaded ${out.stdout.trim()} bytes, every piece verified, in ${((Date.now() - started) / 1000).toFixed(1)} s`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return results;
}

/** `?torrent`, waiting while the hashing workflow builds it (202 with Retry-After). */
async function fetchTorrent(url: string, timeoutSeconds: number) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let waited = 0;
  for (;;) {
    const answer = await fetch(url);
    const body = Buffer.from(await answer.arrayBuffer());
    if (answer.status === 200) {
      return {
        bytes: new Uint8Array(body),
        infoHashHeader: answer.headers.get('x-torrent-infohash') ?? undefined,
        cache: answer.headers.get('x-torrent-cache') ?? undefined,
        waitedSeconds: waited,
      };
    }
    if (answer.status !== 202) return fail(`GET ${url} answered ${answer.status}: ${body.toString('utf8').slice(0, 300)}`);
    const pause = Math.min(Number(answer.headers.get('retry-after')) || 5, 30);
    if (Date.now() + pause * 1000 > deadline) return fail(`the torrent was still being built after ${timeoutSeconds} s`);
    await new Promise((r) => setTimeout(r, pause * 1000));
    waited += pause;
  }
}

const percent = (bytes: Uint8Array) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

function announceQuery(infoHash: Uint8Array, peerId: Uint8Array, left: number, event: string): string {
  return `info_hash=${percent(infoHash)}&peer_id=${percent(peerId)}&port=6881&uploaded=0&downloaded=0&left=${left}&compact=1&event=${event}`;
}

async function trackerRequest(url: string, query: string): Promise<Map<string, unknown>> {
  const answer = await fetch(`${url}${url.includes('?') ? '&' : '?'}${query}`);
  const body = Buffer.from(await answer.arrayBuffer());
  if (answer.status !== 200) return fail(`${url} answered ${answer.status}: ${body.toString('utf8').slice(0, 300)}`);
  let decoded: unknown;
  try {
    decoded = bdecodeExact(body).value;
  } catch {
    return fail(`${url} answered something that is not bencoded: ${body.toString('utf8').slice(0, 100)}`);
  }
  if (!(decoded instanceof Map)) return fail(`${url} answered a bencoded ${typeof decoded}, not a dictionary`);
  const failure = decoded.get('failure reason');
  if (failure !== undefined) fail(`the tracker refused: ${Buffer.from(failure as Uint8Array).toString('utf8')}`);
  return decoded as Map<string, unknown>;
}

function countPeers(answer: Map<string, unknown>): number {
  const v4 = answer.get('peers');
  const v6 = answer.get('peers6');
  const count = (peers: unknown, size: number) =>
    peers instanceof Uint8Array ? peers.length / size : Array.isArray(peers) ? peers.length : 0;
  return count(v4, 6) + count(v6, 18);
}

function runProcess(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-10_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
