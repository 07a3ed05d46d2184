import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseTorrentFile } from '../../lambdas/core/metainfo';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aria2Download, haveAria2, haveLibtorrent, libtorrentDownload } from '../support/programs';
import { putObject, startTestService, testBytes } from '../support/service';
import { haveQbittorrent, haveTransmission, qbittorrentDownload, transmissionDownload, treeOf } from '../support/torrent-clients';

// A folder with nested paths, a space and multi-byte names, an empty file and sizes off piece
// boundaries (BEP 47 pad files between them), downloaded by real clients with the API's web seed
// as the only source. Each client must save exactly the folder: the same files, byte for byte.
const FILES: Record<string, Buffer> = {
  'readme.txt': testBytes(1_234, 1),
  'data/part one.bin': testBytes(700_001, 2),
  'data/part-two.bin': testBytes(333_333, 3),
  'data/nested/é ü.txt': testBytes(40_000, 4),
  'empty.dat': Buffer.alloc(0),
  'z/last.bin': testBytes(98_765, 5),
};

describe('real clients download a folder torrent through its web seed alone', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let dir: string;
  const torrents: Record<string, string> = {};

  beforeAll(async () => {
    service = await startTestService();
    dir = mkdtempSync(join(tmpdir(), 'folder-download-'));
    for (const [path, data] of Object.entries(FILES)) await putObject(service.clients, service.bucket, `shared/release/${path}`, data);
    for (const [label, query] of Object.entries({ v1: '', hybrid: '&version=hybrid', v2: '&version=2', unpadded: '&padding=none' })) {
      const res = await fetch(`${service.apiUrl}/${service.bucket}/shared/release/?torrent${query}`);
      expect(res.status).toBe(200);
      torrents[label] = join(dir, `${label}.torrent`);
      writeFileSync(torrents[label] as string, Buffer.from(await res.arrayBuffer()));
    }
  });
  afterAll(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The saved folder: its files, and (for clients that do not know BEP 47) the pad files they saved. */
  const saved = (out: string) => {
    const tree = treeOf(join(out, 'release'));
    const pads = [...tree.keys()].filter((p) => p.startsWith('.pad/')).sort();
    for (const p of pads) expect(tree.get(p)!.equals(Buffer.alloc(Number(p.slice(5))))).toBe(true);
    return { files: Object.fromEntries([...tree].filter(([p]) => !p.startsWith('.pad/'))), pads };
  };
  const expected = Object.fromEntries(Object.entries(FILES));
  const padsOf = (torrent: string) =>
    (parseTorrentFile(readFileSync(torrent)).v1Files ?? [])
      .filter((f) => f.padding)
      .map((f) => f.path.join('/'))
      .sort();

  (haveAria2() ? it : it.skip)(
    'aria2 (v1, BEP 47 pad files)',
    async () => {
      const out = join(dir, 'aria2');
      expect(await aria2Download(torrents.v1 as string, out)).toMatchObject({ status: 0 });
      // aria2 1.36 does not know BEP 47 either: it fetches the pad files from the web seed (zeros) and saves them.
      expect(saved(out)).toEqual({ files: expected, pads: padsOf(torrents.v1 as string) });
    },
    120_000,
  );

  (haveLibtorrent() ? it : it.skip).each(['v1', 'hybrid', 'v2'])(
    'libtorrent (%s)',
    async (label) => {
      const out = join(dir, `libtorrent-${label}`);
      expect(await libtorrentDownload(torrents[label] as string, out)).toMatchObject({ status: 0 });
      expect(saved(out)).toEqual({ files: expected, pads: [] });
    },
    120_000,
  );

  (haveQbittorrent() ? it : it.skip).each(['v1', 'hybrid'])(
    'qBittorrent (%s)',
    async (label) => {
      const out = join(dir, `qbittorrent-${label}`);
      const run = await qbittorrentDownload(torrents[label] as string, out, join(dir, `qbittorrent-profile-${label}`));
      expect(run).toMatchObject({ ok: true });
      expect(saved(out)).toEqual({ files: expected, pads: [] });
    },
    120_000,
  );

  (haveTransmission() ? it : it.skip).each(['v1', 'unpadded'])(
    'Transmission 3.00 (%s)',
    async (label) => {
      const out = join(dir, `transmission-${label}`);
      const run = await transmissionDownload(torrents[label] as string, out, join(dir, `transmission-config-${label}`));
      expect(run).toMatchObject({ ok: true });
      // Transmission 3.00 does not know BEP 47: it fetches the pad files from the web seed and saves them
      // (zeros). It creates no zero-length files (a file appears when its first byte is written).
      const nonEmpty = Object.fromEntries(Object.entries(expected).filter(([, data]) => data.length > 0));
      expect(saved(out)).toEqual({ files: nonEmpty, pads: padsOf(torrents[label] as string) });
    },
    120_000,
  );
});
