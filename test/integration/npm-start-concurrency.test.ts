import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { infoHashOfTorrentFile } from '../support/torrents';
import { freePorts, npmStart, type ReadyNpmStart } from '../support/npm-start';
import { putObject, standInEndpoints, testBytes, testClients, uniqueSuffix } from '../support/service';

/**
 * 50 concurrent `?torrent` requests for one uncached 20 MB object against `npm start` as a real
 * process, its S3 reads going through a counting proxy to the shared S3 stand-in: exactly one
 * build (one `X-Torrent-Cache: miss`, and the object's bytes read from S3 once), one torrent for all.
 */
const SIZE = 20 * 1024 * 1024;

describe('npm start under 50 concurrent requests for one uncached object', () => {
  const bucket = `burst-${uniqueSuffix()}`;
  const clients = testClients();
  let proxy: CountingProxy;
  let running: ReadyNpmStart | undefined;

  beforeAll(async () => {
    proxy = await startCountingProxy(standInEndpoints().s3Endpoint);
    running = await npmStart(await freePorts(), ['--memory', '--s3-endpoint', proxy.endpoint, '--bucket', bucket, '--log-level', 'ERROR']);
  }, 180_000);
  afterAll(async () => {
    await running?.stop();
    await proxy?.stop();
    clients.s3.destroy();
    clients.dynamoDb.destroy();
  }, 60_000);

  it('builds once and gives all 50 the same torrent', async () => {
    // Uploaded beside the proxy, so the proxy counts only what the service reads.
    await putObject(clients, bucket, 'big.bin', testBytes(SIZE, 7));
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const res = await fetch(`${running!.apiUrl}/${bucket}/big.bin?torrent`);
        return { status: res.status, cache: res.headers.get('x-torrent-cache'), body: Buffer.from(await res.arrayBuffer()) };
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(answers.filter((a) => a.cache === 'miss')).toHaveLength(1);
    // One torrent: the same info dict (so infohash) for all. (Each answer has its own web-seed ticket in
    // `url-list` and `announce`, outside the info dict: docs/web-seed.md.)
    expect(new Set(answers.map((a) => infoHashOfTorrentFile(a.body))).size).toBe(1);
    expect(proxy.bytesRead(bucket, 'big.bin')).toBe(SIZE);
  }, 180_000);
});
