import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bdecodeExact, type BDict } from '../../lambdas/core/bencode';
import { parseTorrentFile } from '../../lambdas/core/metainfo';
import { CLI, runCli } from '../support/cli';
import { run } from '../support/programs';
import { testBytes } from '../support/service';

const KiB = 1024;
const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString('hex') : undefined);

describe('s3-torrent (local files)', () => {
  let dir: string;
  let data: Buffer;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cli-'));
    data = testBytes(300 * KiB + 7, 5);
    file = join(dir, 'movie.mkv');
    writeFileSync(file, data);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const path = (name: string) => join(dir, name);

  it('runs as `npx s3-torrent` from the checkout', async () => {
    const r = await run('npx', ['--no-install', 's3-torrent', '--version'], 60_000);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).version);
  });

  it('create writes a v1 torrent with our defaults, quietly in a pipe', async () => {
    const r2 = await runCli(['create', '-o', path('default.torrent'), file]);
    expect(r2).toMatchObject({ status: 0, stdout: '', stderr: '' });
    const meta = parseTorrentFile(readFileSync(path('default.torrent')));
    expect(meta).toMatchObject({
      format: 'v1',
      name: 'movie.mkv',
      totalLength: data.length,
      pieceLength: 32 * KiB,
      createdBy: 's3-torrent 0.1.0',
    });
    expect(meta.creationDate).toBeInstanceOf(Date);
  });

  it.each(['v1', 'v2', 'hybrid'] as const)(
    'create --%s, then show and verify agree, and --magnet prints the magnet link',
    async (format) => {
      const out = path(`m-${format}.torrent`);
      // A v2-only torrent's web seed names the directory (libtorrent 2.0 appends the file name).
      const seed = format === 'v2' ? 'http://w/' : 'http://w/movie.mkv';
      const created = await runCli(['create', `--${format}`, '--magnet', '-a', 'http://t/announce', '-w', seed, '-o', out, file]);
      expect(created).toMatchObject({ status: 0, stderr: '' });
      const magnet = created.stdout.trim();
      const meta = parseTorrentFile(readFileSync(out));
      expect(meta.format).toBe(format);
      if (meta.infoHashV1) expect(magnet).toContain(`xt=urn:btih:${hex(meta.infoHashV1)}`);
      if (meta.infoHashV2) expect(magnet).toContain(`xt=urn:btmh:1220${hex(meta.infoHashV2)}`);

      const shown = await runCli(['show', '--json', out]);
      expect(shown.status).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({
        name: 'movie.mkv',
        size: data.length,
        pieceLength: 32 * KiB,
        pieceCount: 10,
        format,
        infoHashV1: hex(meta.infoHashV1) ?? null,
        infoHashV2: hex(meta.infoHashV2) ?? null,
        trackers: [['http://t/announce']],
        webSeeds: [seed],
        magnet,
      });
      const text = await runCli(['show', out]);
      expect(text.stdout).toMatch(/^name\s+movie\.mkv$/m);
      expect(text.stdout).toMatch(/^pieces\s+10$/m);
      expect(text.stdout).toContain(magnet);

      expect(await runCli(['verify', out, file])).toMatchObject({ status: 0, stdout: expect.stringContaining('all 10 pieces match') });
      // Given a directory, verify checks the file named as the torrent inside it.
      expect(await runCli(['verify', out, dir])).toMatchObject({ status: 0 });
    },
  );

  it.each(['v1', 'v2', 'hybrid'] as const)('verify --%s names the pieces that do not match and exits 1', async (format) => {
    const out = path(`bad-${format}.torrent`);
    expect(await runCli(['create', `--${format}`, '-o', out, file])).toMatchObject({ status: 0 });
    const damaged = Buffer.from(data);
    // pieces 1, 3 (twice) and 9, the short last one
    for (const offset of [40 * KiB, 100 * KiB, 120 * KiB, data.length - 1]) damaged[offset] = (damaged[offset] as number) ^ 1;
    const copy = path(`damaged-${format}.mkv`);
    writeFileSync(copy, damaged);
    const r = await runCli(['verify', out, copy]);
    expect(r).toMatchObject({ status: 1, stdout: expect.stringContaining('3 of 10 pieces do not match: 1, 3, 9') });
    writeFileSync(copy, data.subarray(1));
    expect(await runCli(['verify', out, copy])).toMatchObject({ status: 1, stdout: expect.stringContaining('no match') });
  });

  it('warns when a v2-only torrent gets a web seed that names the file rather than its directory', async () => {
    const r = await runCli(['create', '--v2', '-w', 'http://w/movie.mkv', '-o', path('warned.torrent'), file]);
    expect(r).toMatchObject({ status: 0, stderr: expect.stringContaining('ending in /') });
  });

  it('accepts 16 KiB pieces (-l 14) for v2 and hybrid only, as mktorrent refuses them for v1', async () => {
    expect(await runCli(['create', '--v2', '-l', '14', '-o', path('l14.torrent'), file])).toMatchObject({ status: 0 });
    expect(parseTorrentFile(readFileSync(path('l14.torrent'))).pieceLength).toBe(16 * KiB);
    expect(await runCli(['create', '-l', '14', '-o', path('l14v1.torrent'), file])).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('15 to 28'),
    });
  });

  it('writes to stdout with -o -, and honours SOURCE_DATE_EPOCH', async () => {
    const child = spawn(process.execPath, [CLI, 'create', '-o', '-', file], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    const top = bdecodeExact(Buffer.concat(chunks)).value as BDict;
    expect(top.get('creation date')).toBe(1_700_000_000);
    expect(parseTorrentFile(Buffer.concat(chunks)).name).toBe('movie.mkv');
  });

  it.each([
    ['no command', [], 2, /Usage/],
    ['an unknown command', ['frobnicate'], 2, /unknown command/],
    ['an unknown option', ['create', '--bogus', 'x'], 2, /Unknown option '--bogus'/],
    ['two formats', ['create', '--v2', '--hybrid', 'x'], 2, /choose one of/],
    ['a bad piece length', ['create', '-l', '29', 'x'], 2, /15 to 28/],
    ['a bad thread count', ['create', '-t', '0', 'x'], 2, /-t\/--threads/],
    ['a bad tracker URL', ['create', '-a', 'not a url', 'x'], 2, /not a URL/],
    ['a name with a slash', ['create', '-n', 'a/b', 'x'], 2, /file name/],
    ['no input', ['create'], 2, /one file/],
    ['--magnet with -o -', ['create', '--magnet', '-o', '-', 'x'], 2, /--magnet/],
    ['a missing file', ['create', '/nonexistent/file.bin'], 3, /no such file/],
    // A directory is a folder, but one of devices has no files a torrent can hold.
    ['a directory of devices', ['create', '/dev'], 3, /neither a file nor a directory|cannot read/],
    ['a torrent that is not one', ['show', CLI], 3, /not a torrent file/],
    ['a missing torrent', ['show', '/nonexistent.torrent'], 3, /no such file/],
    ['an s3 URL without a key', ['create', 's3://bucket-only'], 3, /s3:\/\/bucket\/key/],
  ])('exits with a clear message on %s', async (_label, args, code, message) => {
    const r = await runCli(args as string[]);
    expect(r.status).toBe(code);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses a zero-byte file (exit 3) and an existing output without -f (exit 4)', async () => {
    writeFileSync(path('empty.bin'), '');
    expect(await runCli(['create', '-o', path('empty.torrent'), path('empty.bin')])).toMatchObject({
      status: 3,
      stderr: expect.stringContaining('zero-byte'),
    });
    writeFileSync(path('exists.torrent'), 'keep me');
    expect(await runCli(['create', '-o', path('exists.torrent'), file])).toMatchObject({
      status: 4,
      stderr: expect.stringContaining('-f'),
    });
    expect(readFileSync(path('exists.torrent'), 'utf8')).toBe('keep me');
    expect(await runCli(['create', '-f', '-o', path('exists.torrent'), file])).toMatchObject({ status: 0 });
    expect(parseTorrentFile(readFileSync(path('exists.torrent'))).name).toBe('movie.mkv');
    expect(await runCli(['create', '-o', '/nonexistent-dir/x.torrent', file])).toMatchObject({ status: 4 });
  });

  it('Ctrl-C while hashing exits 130 and leaves no output, partial or whole', async () => {
    const big = path('big.bin');
    writeFileSync(big, testBytes(192 * 1024 * KiB, 9));
    const workDir = path('interrupted');
    mkdirSync(workDir);
    const out = join(workDir, 'big.torrent');
    const child = spawn(process.execPath, [CLI, 'create', '-v', '--hybrid', '-t', '1', '-o', out, big], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // -v says when hashing starts; interrupt then.
    await new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => d.toString().includes('pieces of') && resolve()));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(readdirSync(workDir)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

describe('s3-torrent from its sources (no bundle)', () => {
  it('writes the same torrent as the bundled CLI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-source-'));
    try {
      const file = join(dir, 'f.bin');
      writeFileSync(file, testBytes(40 * 1024 * 1024 + 3, 8)); // big enough for worker threads
      const common = ['SOURCE_DATE_EPOCH=1700000000', process.execPath, CLI, 'create', '--hybrid', '-t', '2'];
      expect(await run('env', [...common, '-o', join(dir, 'bundled.torrent'), file], 60_000)).toMatchObject({ status: 0 });
      expect(await run('env', ['S3_TORRENT_FROM_SOURCE=1', ...common, '-o', join(dir, 'sources.torrent'), file], 60_000)).toMatchObject({
        status: 0,
      });
      expect(readFileSync(join(dir, 'sources.torrent')).equals(readFileSync(join(dir, 'bundled.torrent')))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
