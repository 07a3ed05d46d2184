import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bdecodeExact, type BDict } from '../../lambdas/core/bencode';
import { buildInfo, TorrentPieceHasher, type TorrentFormat } from '../../lambdas/core/build-info';
import { haveLibtorrent, PYTHON, run } from '../support/programs';
import { testBytes } from '../support/service';
import { runCli } from '../support/cli';

const describeIf = haveLibtorrent() ? describe : describe.skip;
const ORACLE = join(__dirname, 'libtorrent-oracle.py');
const FORMATS = ['v1', 'v2', 'hybrid'] as const;
const KiB = 1024;

// Sizes around every boundary BEP 52 cares about: one byte, one block, a block and a byte, exactly
// one piece, a piece and a byte, odd block counts, several MB, and pieces from 16 KiB to 64 KiB.
const CASES: [size: number, pieceLength: number][] = [
  [1, 16 * KiB],
  [16 * KiB, 16 * KiB],
  [16 * KiB + 1, 16 * KiB],
  [16 * KiB + 1, 32 * KiB],
  [32 * KiB, 32 * KiB],
  [32 * KiB + 1, 32 * KiB],
  [3 * 16 * KiB + 1, 16 * KiB],
  [3 * 1024 * KiB + 123, 32 * KiB],
  [5_000_000, 64 * KiB],
];

interface OracleTorrent {
  v1: string | null;
  v2: string | null;
  infoKeys: string[];
  pieceLayers: Record<string, string>;
}

let answers = 0;
async function oracle<T>(jobs: object[]): Promise<T[]> {
  const answerFile = join(dir, `answer-${answers++}.json`);
  const r = await run(PYTHON, [ORACLE, JSON.stringify(jobs), answerFile], 120_000);
  if (r.status !== 0) throw new Error(`libtorrent oracle failed: ${r.stderr}`);
  return JSON.parse(readFileSync(answerFile, 'utf8')) as T[];
}

function pieceLayersOf(torrentFile: Uint8Array): Record<string, string> {
  const layers = (bdecodeExact(torrentFile).value as BDict).get('piece layers') as BDict | undefined;
  return Object.fromEntries(
    [...(layers ?? new Map())].map(([root, layer]) => [
      Buffer.from(root, 'latin1').toString('hex'),
      Buffer.from(layer as Uint8Array).toString('hex'),
    ]),
  );
}

let dir: string;

describeIf('libtorrent as the oracle for v1, v2 and hybrid torrents', () => {
  const fileOf = (size: number) => join(dir, `file-${size}.bin`);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'v2-oracle-'));
    for (const size of new Set(CASES.map(([s]) => s))) writeFileSync(fileOf(size), testBytes(size, size));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('our info dicts, infohashes (v1 and v2) and piece layers equal libtorrent`s create_torrent for every size and format', async () => {
    const jobs = CASES.flatMap(([size, pieceLength]) => FORMATS.map((format) => ({ size, pieceLength, format })));
    const theirs = await oracle<OracleTorrent>(jobs.map((j) => ({ create: fileOf(j.size), format: j.format, pieceLength: j.pieceLength })));
    const ours = jobs.map(({ size, pieceLength, format }) => {
      const data = readFileSync(fileOf(size));
      const hasher = new TorrentPieceHasher(pieceLength, format);
      hasher.update(data);
      const built = buildInfo({ format, name: `file-${size}.bin`, length: size, pieceLength, hashes: hasher.digest() });
      return {
        v1: built.infoHashV1 ? Buffer.from(built.infoHashV1).toString('hex') : null,
        v2: built.infoHashV2 ? Buffer.from(built.infoHashV2).toString('hex') : null,
        infoKeys: [...(bdecodeExact(built.info).value as BDict).keys()].sort(),
        pieceLayers: built.pieceLayers
          ? pieceLayersOf(Buffer.concat([Buffer.from('d12:piece layers'), built.pieceLayers, Buffer.from('e')]))
          : {},
      };
    });
    for (let i = 0; i < jobs.length; i++) expect({ ...jobs[i], ...ours[i] }).toEqual({ ...jobs[i], ...theirs[i] });
  }, 120_000);

  it.each(FORMATS)(
    'torrents made by `s3-torrent create --%s` load in libtorrent with the same infohashes as its own',
    async (format: TorrentFormat) => {
      const cases: [number, number][] = [
        [1, 14],
        [32 * KiB + 1, 15],
        [3 * 1024 * KiB + 123, 15],
      ];
      const made = [];
      for (const [size, exponent] of cases) {
        if (format === 'v1' && exponent < 15) continue;
        const out = join(dir, `cli-${size}-${format}.torrent`);
        const r = await runCli(['create', `--${format}`, '-l', String(exponent), '-o', out, '-f', fileOf(size)]);
        expect(r).toMatchObject({ status: 0, stderr: '' });
        made.push({ size, pieceLength: 2 ** exponent, out });
      }
      const loaded = await oracle<{ v1: string | null; v2: string | null; size: number; error?: string }>(
        made.map((m) => ({ load: m.out })),
      );
      const created = await oracle<OracleTorrent>(made.map((m) => ({ create: fileOf(m.size), format, pieceLength: m.pieceLength })));
      made.forEach((m, i) => {
        // (Not the size: for v2-only torrents libtorrent counts the last piece padded to a whole piece.)
        expect(loaded[i]).toEqual(expect.objectContaining({ v1: created[i]!.v1, v2: created[i]!.v2 }));
        expect(loaded[i]!.error).toBeUndefined();
        expect(pieceLayersOf(readFileSync(m.out))).toEqual(created[i]!.pieceLayers);
      });
    },
    120_000,
  );

  it('torrents libtorrent makes read back in `s3-torrent show` with its infohashes, and `verify` passes them', async () => {
    const size = 3 * 1024 * KiB + 123;
    const jobs = FORMATS.map((format) => ({
      create: fileOf(size),
      format,
      pieceLength: 32 * KiB,
      out: join(dir, `libtorrent-${format}.torrent`),
    }));
    const theirs = await oracle<OracleTorrent>(jobs);
    for (const [i, job] of jobs.entries()) {
      const shown = await runCli(['show', '--json', job.out]);
      expect(shown.status).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({ format: job.format, infoHashV1: theirs[i]!.v1, infoHashV2: theirs[i]!.v2, size });
      expect(await runCli(['verify', job.out, fileOf(size)])).toMatchObject({
        status: 0,
        stdout: expect.stringContaining('all 97 pieces match'),
      });
    }
  }, 120_000);
});
