import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveLibtorrent, libtorrentDownload } from '../support/programs';
import { putObject, startTestService, testBytes } from '../support/service';
import { runCliWithLocalS3 } from '../support/cli';

// libtorrent checks every piece it downloads against the v2 piece layers (and v1 pieces for hybrid),
// so a byte-identical download through the web seed means the merkle trees are right end to end.
const SIZE = 3 * 1024 * 1024 + 54_321;
const KEY = 'v2/merkle file.bin';
const NAME = 'merkle file.bin';

const describeIf = haveLibtorrent() ? describe : describe.skip;

describeIf('libtorrent downloads byte-identically through v2 and hybrid torrents', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let dir: string;
  const data = testBytes(SIZE, 52);

  beforeAll(async () => {
    service = await startTestService();
    dir = mkdtempSync(join(tmpdir(), 'download-v2-'));
    await putObject(service.clients, service.bucket, KEY, data);
  });
  afterAll(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const download = async (torrentPath: string, label: string) => {
    const out = join(dir, label);
    const r = await libtorrentDownload(torrentPath, out);
    expect(r).toMatchObject({ status: 0 });
    expect(readFileSync(join(out, NAME)).equals(data)).toBe(true);
  };

  it.each(['2', 'hybrid'])('from the endpoint: ?torrent&version=%s', async (version) => {
    const res = await fetch(`${service.apiUrl}/${service.bucket}/${encodeURI(KEY)}?torrent&version=${version}`);
    expect(res.status).toBe(200);
    const torrentPath = join(dir, `endpoint-${version}.torrent`);
    writeFileSync(torrentPath, Buffer.from(await res.arrayBuffer()));
    await download(torrentPath, `endpoint-${version}`);
  });

  it('from `s3-torrent create --v2 s3://...` with the endpoint`s web seed for the directory', async () => {
    const torrentPath = join(dir, 'cli-v2.torrent');
    // For a v2-only torrent the web seed names the directory: libtorrent appends the file name.
    const webSeed = `${service.apiUrl}/-/webseed/${service.bucket}/v2/`;
    const r = await runCliWithLocalS3([
      'create',
      '--v2',
      '--endpoint-url',
      service.s3Endpoint,
      '-w',
      webSeed,
      '-o',
      torrentPath,
      `s3://${service.bucket}/${KEY}`,
    ]);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    await download(torrentPath, 'cli-v2');
  });
});
