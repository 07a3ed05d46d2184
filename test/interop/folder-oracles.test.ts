import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TorrentFormat } from '../../lambdas/core/build-info';
import { infoHashV1 } from '../../lambdas/core/info-dict';
import { haveLibtorrent, haveMktorrent, PYTHON, run } from '../support/programs';
import { randomTree, referenceFolderInfo, writeTree, type TreeFile } from '../support/folders';
import { bdecodeExact, type BDict } from '../../lambdas/core/bencode';
import { parseTorrentFile } from '../../lambdas/core/metainfo';
import { runCli } from '../support/cli';

// Oracles for folder torrents: libtorrent 2.0.8's create_torrent (v1 with canonical_files, v2,
// hybrid: every file padded to a piece boundary, the last included) and mktorrent 1.1's multi-file
// torrent (v1, no padding) of the same directory and piece length give the infohashes we give.
const ORACLE = join(__dirname, 'libtorrent-oracle.py');
const KiB = 1024;
const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString('hex') : null);

let dir: string;
const trees: { name: string; files: TreeFile[]; pieceLength: number }[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'folder-oracles-'));
  const pieceLengths = [16 * KiB, 32 * KiB, 64 * KiB];
  for (let seed = 1; seed <= 12; seed++) {
    const pieceLength = pieceLengths[seed % 3] as number;
    const name = `folder-${seed}`;
    const files = randomTree(seed, pieceLength, 1 + (seed % 9) * 3);
    writeTree(join(dir, name), files);
    trees.push({ name, files, pieceLength });
  }
  // One file in a folder: libtorrent pads nothing, and it is still a multi-file torrent.
  const one = { name: 'folder-one', files: [{ path: ['only.bin'], data: Buffer.alloc(40_000, 7) }], pieceLength: 32 * KiB };
  writeTree(join(dir, one.name), one.files);
  trees.push(one);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

(haveLibtorrent() ? describe : describe.skip)('libtorrent 2.0.8 as the oracle for folder torrents', () => {
  it('v1 (BEP 47 padding), v2 and hybrid torrents of the same folders have libtorrent`s infohashes and piece layers', async () => {
    const formats: [TorrentFormat, boolean][] = [
      ['v1', true],
      ['v2', false],
      ['hybrid', false],
    ];
    const jobs = trees.flatMap((t) =>
      formats.map(([format, canonical]) => ({
        tree: t,
        format,
        job: { create: join(dir, t.name), format, pieceLength: t.pieceLength, canonical },
      })),
    );
    const answerFile = join(dir, 'answer.json');
    const r = await run(PYTHON, [ORACLE, JSON.stringify(jobs.map((j) => j.job)), answerFile], 120_000);
    expect(r.stderr).toBe('');
    const theirs = JSON.parse(readFileSync(answerFile, 'utf8')) as {
      v1: string | null;
      v2: string | null;
      pieceLayers: Record<string, string>;
    }[];
    jobs.forEach(({ tree, format }, i) => {
      const built = referenceFolderInfo(tree.name, tree.files, tree.pieceLength, format, 'bep47');
      const layers = built.pieceLayers ? (bdecodeExact(built.pieceLayers).value as BDict) : new Map();
      const ours = {
        v1: hex(built.infoHashV1),
        v2: hex(built.infoHashV2),
        infoKeys: [...(bdecodeExact(built.info).value as BDict).keys()].sort(),
        pieceLayers: Object.fromEntries([...layers].map(([k, v]) => [Buffer.from(k, 'latin1').toString('hex'), hex(v as Uint8Array)])),
      };
      expect({ folder: tree.name, format, ...ours }).toEqual({ folder: tree.name, format, ...theirs[i] });
    });
  }, 180_000);

  it('`s3-torrent create DIR` makes libtorrent`s torrents, and `verify` passes the ones libtorrent makes', async () => {
    const chosen = trees.slice(0, 4);
    const jobs = chosen.map((t) => ({
      create: join(dir, t.name),
      format: 'hybrid',
      pieceLength: t.pieceLength,
      out: join(dir, `${t.name}.lt.torrent`),
    }));
    const answerFile = join(dir, 'answer-cli.json');
    const r = await run(PYTHON, [ORACLE, JSON.stringify(jobs), answerFile], 120_000);
    expect(r.stderr).toBe('');
    const theirs = JSON.parse(readFileSync(answerFile, 'utf8')) as { v1: string; v2: string }[];
    for (const [i, tree] of chosen.entries()) {
      const out = join(dir, `${tree.name}.ours.torrent`);
      expect(
        await runCli(['create', '--hybrid', '-l', String(Math.log2(tree.pieceLength)), '-o', out, '-f', join(dir, tree.name)]),
      ).toMatchObject({ status: 0 });
      const ours = parseTorrentFile(readFileSync(out));
      expect({ v1: hex(ours.infoHashV1), v2: hex(ours.infoHashV2) }).toEqual({ v1: theirs[i]!.v1, v2: theirs[i]!.v2 });
      const verified = await runCli(['verify', jobs[i]!.out, dir]);
      expect({ tree: tree.name, status: verified.status, stdout: verified.stdout }).toEqual({
        tree: tree.name,
        status: 0,
        stdout: expect.stringContaining('match (hybrid)'),
      });
    }
  }, 180_000);
});

(haveMktorrent() ? describe : describe.skip)('mktorrent 1.1 as the oracle for unpadded v1 folder torrents', () => {
  it('a v1 torrent without padding has mktorrent`s infohash for the same folder and piece length', () => {
    for (const tree of trees) {
      const pieceLength = Math.max(tree.pieceLength, 32 * KiB); // mktorrent's smallest piece is 32 KiB
      const out = join(dir, `${tree.name}.torrent`);
      execFileSync('mktorrent', ['-l', String(Math.log2(pieceLength)), '-o', out, join(dir, tree.name)], { stdio: 'ignore' });
      const theirs = bdecodeExact(readFileSync(out)).rawTopLevel.get('info') as Uint8Array;
      const ours = referenceFolderInfo(tree.name, tree.files, pieceLength, 'v1', 'none');
      expect({ folder: tree.name, infoHash: hex(ours.infoHashV1) }).toEqual({ folder: tree.name, infoHash: hex(infoHashV1(theirs)) });
      expect(Buffer.from(ours.info).equals(Buffer.from(theirs))).toBe(true);
    }
  });

  it('`verify` passes mktorrent`s folder torrents', async () => {
    for (const tree of trees.slice(0, 4)) {
      const verified = await runCli(['verify', join(dir, `${tree.name}.torrent`), join(dir, tree.name)]);
      expect({ tree: tree.name, status: verified.status, stdout: verified.stdout }).toEqual({
        tree: tree.name,
        status: 0,
        stdout: expect.stringContaining('match (v1)'),
      });
    }
  });
});
