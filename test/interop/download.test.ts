import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aria2Download, haveAria2, haveLibtorrent, libtorrentDownload } from '../support/programs';
import { putObject, startTestService, testBytes } from '../support/service';

// Several pieces, a short last piece, and a key with a space and a sub-directory.
const SIZE = 5 * 1024 * 1024 + 12_345;
const KEY = 'downloads/web seeded file.bin';
const NAME = 'web seeded file.bin';

describe('real clients download through our torrent, with S3 (via the web-seed redirect) as the only seed', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let dir: string;
  let torrentPath: string;
  const data = testBytes(SIZE, 42);

  beforeAll(async () => {
    service = await startTestService();
    dir = mkdtempSync(join(tmpdir(), 'download-'));
    await putObject(service.clients, service.bucket, KEY, data);
    const res = await fetch(`${service.apiUrl}/${service.bucket}/${encodeURI(KEY)}?torrent`);
    expect(res.status).toBe(200);
    torrentPath = join(dir, 'file.torrent');
    writeFileSync(torrentPath, Buffer.from(await res.arrayBuffer()));
  });
  afterAll(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  (haveAria2() ? it : it.skip)('aria2c', async () => {
    const out = join(dir, 'aria2');
    const r = await aria2Download(torrentPath, out);
    expect(r).toMatchObject({ status: 0 });
    expect(readFileSync(join(out, NAME)).equals(data)).toBe(true);
  });

  (haveLibtorrent() ? it : it.skip)('libtorrent', async () => {
    const out = join(dir, 'libtorrent');
    const r = await libtorrentDownload(torrentPath, out);
    expect(r).toMatchObject({ status: 0 });
    expect(readFileSync(join(out, NAME)).equals(data)).toBe(true);
  });
});
