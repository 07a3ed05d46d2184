import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveMktorrent } from '../support/programs';
import { putObject, startTestService, testBytes } from '../support/service';
import { decodeTorrent, infoHashOfTorrentFile } from '../support/torrents';

const describeIf = haveMktorrent() ? describe : describe.skip;

describeIf('our infohash equals mktorrent -l <same> for the same bytes and name', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let dir: string;
  beforeAll(async () => {
    service = await startTestService();
    dir = mkdtempSync(join(tmpdir(), 'mktorrent-'));
  });
  afterAll(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['1 byte', 1],
    ['exactly one piece', 32 * 1024],
    ['one piece and a byte', 32 * 1024 + 1],
    ['a few MB', 3 * 1024 * 1024 + 123],
    ['just past the 64 MiB step (64 KiB pieces)', 64 * 1024 * 1024 + 1],
  ])('%s (%d bytes)', async (_label, size) => {
    const data = testBytes(size, size);
    const name = `object-${size}.bin`;
    await putObject(service.clients, service.bucket, `some/prefix/${name}`, data);
    const res = await fetch(`${service.apiUrl}/${service.bucket}/some/prefix/${name}?torrent`);
    expect(res.status).toBe(200);
    const ours = Buffer.from(await res.arrayBuffer());
    const pieceLength = (decodeTorrent(ours).info as Record<string, number>)['piece length'] as number;

    const file = join(dir, name);
    writeFileSync(file, data);
    const out = join(dir, `${name}.torrent`);
    execFileSync('mktorrent', ['-l', String(Math.log2(pieceLength)), '-o', out, file], { stdio: 'ignore' });
    expect(infoHashOfTorrentFile(ours)).toBe(infoHashOfTorrentFile(readFileSync(out)));
    expect(res.headers.get('x-torrent-infohash')).toBe(infoHashOfTorrentFile(ours));
  });
});
