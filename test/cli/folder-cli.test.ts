import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTorrentFile } from '../../lambdas/core/metainfo';
import { runCliWithLocalS3 } from '../support/cli';
import { randomTree, referenceFolderInfo, writeTree, type TreeFile } from '../support/folders';
import { putObject, startTestService, testBytes } from '../support/service';

const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString('hex') : undefined);

describe('s3-torrent create and verify for folders (a directory, an s3:// prefix)', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let dir: string;
  const files: TreeFile[] = randomTree(42, 32 * 1024, 12);
  const cli = (args: string[]) => runCliWithLocalS3(args);
  const torrentAt = (path: string) => parseTorrentFile(readFileSync(path));

  beforeAll(async () => {
    service = await startTestService();
    dir = mkdtempSync(join(tmpdir(), 'cli-folder-'));
    writeTree(join(dir, 'tree'), files);
    for (const f of files) await putObject(service.clients, service.bucket, `releases/tree/${f.path.join('/')}`, Buffer.from(f.data));
  });
  afterAll(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['--v1', 'v1', 'bep47'],
    ['--v2', 'v2', 'bep47'],
    ['--hybrid', 'hybrid', 'bep47'],
    ['--padding=none', 'v1', 'none'],
  ] as const)('create DIR %s equals the core`s torrent of the same folder', async (flag, format, padding) => {
    const out = join(dir, `tree-${format}-${padding}.torrent`);
    const r = await cli(['create', flag, '-l', '15', '-o', out, join(dir, 'tree')]);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    const meta = torrentAt(out);
    const reference = referenceFolderInfo('tree', files, 32 * 1024, format, padding);
    expect({ v1: hex(meta.infoHashV1), v2: hex(meta.infoHashV2) }).toEqual({
      v1: hex(reference.infoHashV1),
      v2: hex(reference.infoHashV2),
    });
  });

  it.each([
    ['', '1', []],
    ['--hybrid', 'hybrid', ['--hybrid']],
    ['--padding none', '1&padding=none', ['--padding', 'none']],
  ] as const)(
    'create DIR and create s3://bucket/prefix/ %s give the endpoint`s infohashes for the same folder',
    async (_label, query, flags) => {
      const res = await fetch(`${service.apiUrl}/${service.bucket}/releases/tree/?torrent&version=${query}`);
      expect(res.status).toBe(200);
      const endpoint = parseTorrentFile(Buffer.from(await res.arrayBuffer()));
      for (const location of [join(dir, 'tree'), `s3://${service.bucket}/releases/tree/`]) {
        const out = join(dir, `same-${query.replace(/\W/g, '')}-${location.startsWith('s3') ? 's3' : 'dir'}.torrent`);
        const r = await cli(['create', ...flags, '--endpoint-url', service.s3Endpoint, '-o', out, '-f', location]);
        expect(r).toMatchObject({ status: 0, stderr: '' });
        const ours = torrentAt(out);
        expect({ location, v1: hex(ours.infoHashV1), v2: hex(ours.infoHashV2) }).toEqual({
          location,
          v1: hex(endpoint.infoHashV1),
          v2: hex(endpoint.infoHashV2),
        });
      }
    },
  );

  it('verify checks a directory (or the directory holding it) and an s3:// prefix, and names what does not match', async () => {
    const out = join(dir, 'verify.torrent');
    expect((await cli(['create', '--hybrid', '-o', out, join(dir, 'tree')])).status).toBe(0);
    for (const data of [join(dir, 'tree'), dir, `s3://${service.bucket}/releases/tree/`]) {
      const r = await cli(['verify', '--endpoint-url', service.s3Endpoint, out, data]);
      expect({ data, status: r.status, stdout: r.stdout }).toEqual({
        data,
        status: 0,
        stdout: expect.stringMatching(/all \d+ pieces of 12 files match \(hybrid\)/),
      });
    }
    const copy = join(dir, 'damaged');
    writeTree(join(copy, 'tree'), files);
    const victim = files.find((f) => f.data.length > 10) as TreeFile;
    const bytes = Buffer.from(victim.data);
    bytes[5] = (bytes[5] as number) ^ 1;
    writeFileSync(join(copy, 'tree', ...victim.path), bytes);
    const damaged = await cli(['verify', out, copy]);
    expect(damaged.status).toBe(1);
    expect(damaged.stdout).toContain(`1 of 12 files do not match: ${victim.path.join('/')}`);
    rmSync(join(copy, 'tree', ...victim.path));
    const missing = await cli(['verify', out, copy]);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain(`${victim.path.join('/')}: missing`);
  });

  it('refuses what makes no folder torrent', async () => {
    mkdirSync(join(dir, 'empty-dir', 'sub'), { recursive: true });
    expect(await cli(['create', '-o', join(dir, 'x.torrent'), join(dir, 'empty-dir')])).toMatchObject({
      status: 3,
      stderr: expect.stringContaining('no bytes'),
    });
    expect((await cli(['create', '--padding', 'none', '--hybrid', join(dir, 'tree')])).status).toBe(2);
    writeFileSync(join(dir, 'plain.bin'), testBytes(100, 1));
    expect((await cli(['create', '--padding', 'none', join(dir, 'plain.bin')])).status).toBe(2);
  });
});
