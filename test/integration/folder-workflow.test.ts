import { parseTorrentFile } from '../../lambdas/core/metainfo';
import { referenceFolderInfo, type TreeFile } from '../support/folders';
import { putObject, startTestService, testBytes } from '../support/service';

const KiB = 1024;
const MiB = 1024 * KiB;
const hex = (b?: Uint8Array) => (b ? Buffer.from(b).toString('hex') : undefined);

// Folders with more to hash than a request may go through the hashing workflow: one job per
// listing and variant, its objects split and packed into work items, 202 until it is done.
describe('large folders through the hashing workflow (run locally)', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  const files: TreeFile[] = [
    ...Array.from({ length: 12 }, (_, i) => ({ path: ['small', `f${i}.bin`], data: testBytes(50_000 + i * 1000, i + 1) })),
    { path: ['big.bin'], data: testBytes(3 * MiB + 17, 99) },
    { path: ['nothing'], data: Buffer.alloc(0) },
  ];
  const torrent = (query = '') => fetch(`${service.apiUrl}/${service.bucket}/set/?torrent${query}`);

  beforeAll(async () => {
    // 512 KiB inline, 1 MiB work items: the big object is cut in four, the small ones packed.
    service = await startTestService({ inlineHashLimit: 512 * KiB, workflow: { minChunkBytes: MiB, maxConcurrency: 2 } });
    for (const f of files) await putObject(service.clients, service.bucket, `set/${f.path.join('/')}`, f.data);
  });
  afterAll(() => service.stop());

  // v1 first: the hybrid torrent after it still lacks the v2 hashes of every object.
  it.each([
    ['v1', ''],
    ['hybrid', '&version=hybrid'],
  ] as const)('%s: 202 with the job, then the torrent of the listing, as the core makes it', async (format, query) => {
    const first = await torrent(query);
    expect(first.status).toBe(202);
    const job = (await first.json()) as { jobId: string; state: string; key: string; statusUrl: string };
    expect(job).toMatchObject({ state: 'RUNNING', key: 'set/' });
    await service.workflow!.idle();
    const status = (await (await fetch(job.statusUrl)).json()) as { state: string };
    expect(status.state).toBe('SUCCEEDED');
    const done = await torrent(query);
    expect(done.status).toBe(200);
    expect(done.headers.get('x-torrent-cache')).toBe('hit');
    const meta = parseTorrentFile(Buffer.from(await done.arrayBuffer()));
    const reference = referenceFolderInfo('set', files, meta.pieceLength, format, 'bep47');
    expect({ v1: hex(meta.infoHashV1), v2: hex(meta.infoHashV2) }).toEqual({
      v1: hex(reference.infoHashV1),
      v2: hex(reference.infoHashV2),
    });
  });

  it('rebuilds in the request when what changed fits the inline limit, and hashes only that', async () => {
    await putObject(service.clients, service.bucket, 'set/small/f3.bin', testBytes(60_000, 1234));
    const res = await torrent('&version=hybrid');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-torrent-bytes-hashed')).toBe('60000');
  });

  it('sends only the changed objects to the workflow when they are over the limit', async () => {
    await putObject(service.clients, service.bucket, 'set/big.bin', testBytes(3 * MiB + 17, 7));
    const res = await torrent('&version=hybrid');
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ size: 3 * MiB + 17 });
    await service.workflow!.idle();
    expect((await torrent('&version=hybrid')).status).toBe(200);
  });
});
