import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveMktorrent, run } from '../support/programs';
import { testBytes } from '../support/service';
import { runCli } from '../support/cli';
import { infoHashOfTorrentFile } from '../support/torrents';

const describeIf = haveMktorrent() ? describe : describe.skip;

// mktorrent writes `created by: mktorrent 1.1`; we write our own name unless told otherwise. With
// no creation date (-d) and that one field matched, the whole files must be the same bytes.
const SAME_CREATOR = ['-d', '--created-by', 'mktorrent 1.1'];

describeIf('s3-torrent create writes what mktorrent writes for the same options', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-mktorrent-'));
    file = join(dir, 'some file.bin');
    writeFileSync(file, testBytes(1_234_567, 11));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['no trackers', ['-l', '18']],
    ['one tracker and one web seed (written as a string)', ['-l', '15', '-a', 'http://t.example/announce', '-w', 'http://w.example/f']],
    [
      'a tier of two, a second tier, two web seeds',
      ['-l', '16', '-a', 'http://a/1,udp://a/2', '-a', 'http://b/1', '-w', 'http://w/1,http://w/2'],
    ],
    ['private, source, comment and name', ['-l', '20', '-p', '-s', 'SRC', '-c', 'a comment', '-n', 'other name.bin']],
    [
      'long option spellings',
      ['--piece-length=17', '--announce=http://t/a', '--web-seed=http://w/1', '--private', '--source=S', '--comment=c', '--name=n.bin'],
    ],
  ])('%s: byte-identical', async (_label, options) => {
    const theirs = join(dir, `mktorrent-${_label}.torrent`);
    const ours = join(dir, `ours-${_label}.torrent`);
    const m = await run('mktorrent', [...options, '-d', '-o', theirs, file], 60_000);
    expect(m.status).toBe(0);
    const r = await runCli(['create', ...options, ...SAME_CREATOR, '-o', ours, file]);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(readFileSync(ours).equals(readFileSync(theirs))).toBe(true);
  });

  it('with the defaults (a creation date, our name as creator) the infohash is still mktorrent`s', async () => {
    const theirs = join(dir, 'mktorrent-default.torrent');
    const ours = join(dir, 'ours-default.torrent');
    expect((await run('mktorrent', ['-l', '15', '-o', theirs, file], 60_000)).status).toBe(0);
    // Our default piece length for 1.2 MB is 2^15 (mktorrent's default is a fixed 2^18).
    expect(await runCli(['create', '-o', ours, file])).toMatchObject({ status: 0 });
    expect(infoHashOfTorrentFile(readFileSync(ours))).toBe(infoHashOfTorrentFile(readFileSync(theirs)));
  });
});
