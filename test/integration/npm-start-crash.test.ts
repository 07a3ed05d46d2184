import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeInfoV1, infoHashV1 } from '../../lambdas/core/info-dict';
import { hashPieces } from '../../lambdas/core/piece-hasher';
import { pieceLengthFor } from '../../lambdas/core/piece-length';
import { createAwsClients, type AwsClients } from '../../lambdas/runtime/aws-clients';
import { LOCAL_CREDENTIALS } from '../../local/s3';
import { freePorts, npmStart, type ReadyNpmStart, type NpmStartPorts } from '../support/npm-start';
import { putObject, testBytes } from '../support/service';
import { announceQuery, decodeTrackerBody } from '../support/tracker-client';

/**
 * `npm start` killed with SIGKILL (the whole process group: node, s3rver, DynamoDB Local) while it
 * builds the torrent of a 20 MB object, then started again on the same data directory: `?torrent`
 * must answer the torrent, and the tracker must accept an announce for its infohash. Trials kill at
 * 120-200 ms into the request, and then closer and closer to the end of the build (where it
 * publishes), found by bisection in the same run, since build times vary with the machine and its load.
 */
const SIZE = 20 * 1024 * 1024;
const BUCKET = 'crash';

describe('npm start killed mid-build and started again on the same data', () => {
  let dataDir: string;
  let ports: NpmStartPorts;
  let running: ReadyNpmStart | undefined;
  let s3: AwsClients;
  const start = async () => (running = await npmStart(ports, ['--data-dir', dataDir, '--bucket', BUCKET, '--log-level', 'ERROR']));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 's3-torrent-crash-'));
    ports = await freePorts();
    await start();
    s3 = createAwsClients({ s3Endpoint: running!.s3Endpoint, credentials: LOCAL_CREDENTIALS, region: 'us-east-1' });
  }, 180_000);
  afterAll(async () => {
    s3?.s3.destroy();
    s3?.dynamoDb.destroy();
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  const torrentUrl = (key: string) => `${running!.apiUrl}/${BUCKET}/${key}?torrent`;

  it('serves a torrent the tracker accepts after every kill', async () => {
    // How long a build takes here, now. After the 120-200 ms trials, each kill halves the interval
    // the build's end lies in (answered before the kill: earlier; cut off: later), so the late
    // kills close in on the publish step, whatever the machine's speed.
    await putObject(s3, BUCKET, 'calibration.bin', testBytes(SIZE, 99));
    const began = Date.now();
    expect((await fetch(torrentUrl('calibration.bin'))).status).toBe(200);
    const buildMs = Date.now() - began;
    let [early, late] = [200, buildMs * 1.5];
    const delays = [120, 160, 200, 0, 0, 0];

    const outcomes: string[] = [];
    for (const [trial, fixed] of delays.entries()) {
      const delay = fixed || Math.round((early + late) / 2);
      const key = `trial-${trial}.bin`;
      const data = testBytes(SIZE, trial + 1);
      await putObject(s3, BUCKET, key, data);
      const request = fetch(torrentUrl(key)).then(
        (res) => `answered ${res.status} before the kill`,
        () => 'cut off by the kill',
      );
      await new Promise((r) => setTimeout(r, delay));
      await running!.kill();
      const before = await request;
      if (fixed === 0) [early, late] = before.startsWith('answered') ? [early, delay] : [delay, late];
      await start();

      const res = await fetch(torrentUrl(key));
      const at = `trial ${trial}: killed ${delay} ms into the request (a build took ${buildMs} ms), ${before}`;
      expect({ at, status: res.status }).toEqual({ at, status: 200 });
      const infoHash = res.headers.get('x-torrent-infohash')!;
      expect({ at, infoHash }).toEqual({ at, infoHash: expectedInfoHash(data, key) });
      outcomes.push(`${delay} ms: ${before}, then ${res.headers.get('x-torrent-cache')}`);

      const announce = await fetch(
        `${running!.apiUrl}/announce?${announceQuery({ infoHash: Buffer.from(infoHash, 'hex'), peerId: Buffer.alloc(20, trial + 1), port: 6881, left: 0, event: 'started' })}`,
      );
      const body = decodeTrackerBody(Buffer.from(await announce.arrayBuffer())) as Record<string, unknown>;
      expect({ at, failure: body['failure reason']?.toString() }).toEqual({ at, failure: undefined });
      expect(body.interval).toBeGreaterThan(0);
    }
    // What the kills hit, for the record: a cached answer after the restart means the build had published.
    process.stderr.write(`npm start crash trials: ${outcomes.join('; ')}\n`);
  }, 900_000);
});

function expectedInfoHash(data: Buffer, name: string): string {
  const pieceLength = pieceLengthFor(data.length);
  return Buffer.from(infoHashV1(encodeInfoV1({ name, length: data.length, pieceLength, pieces: hashPieces(data, pieceLength) }))).toString(
    'hex',
  );
}
