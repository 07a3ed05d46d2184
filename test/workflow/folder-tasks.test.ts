import { S3FolderJobPlans } from '../../lambdas/adapters/s3-folder-job-plans';
import { decodeSegmentHashes, encodeSegmentHashes, planFolderWork } from '../../lambdas/folders/folder-job-plan';
import { FolderTorrentService } from '../../lambdas/folders/folder-service';
import { LargeObjectJobs } from '../../lambdas/torrents/large-object-jobs';
import type { FolderJobPlan, FolderJobPlans } from '../../lambdas/ports/folder-job-plans';
import { makeWorkflowTasks } from '../../lambdas/workflow/tasks';
import {
  FakeWorkflow,
  MemoryCache,
  MemoryChunkResults,
  MemoryJobStore,
  MemoryObjectStore,
  MemoryPublisher,
  MemoryBuildLeases,
} from '../support/fakes';
import { MemoryFolderJobPlans, MemoryObjectHashStore, MemoryObjectListing } from '../support/folder-fakes';
import { referenceFolderInfo } from '../support/folders';
import { createBucket, testBytes, testClients, uniqueSuffix } from '../support/service';
import type { WorkflowInput } from '../../lambdas/ports/hashing-job';

const KiB = 1024;
const plan = (sizes: number[], pieceLength = 16 * KiB): FolderJobPlan => ({
  bucket: 'b',
  prefix: 'p/',
  variant: 'v1',
  pieceLength,
  objects: sizes.map((size, i) => ({ key: `p/${i}`, etag: `"${i}"`, size })),
  toHash: sizes.map((_, object) => ({ object, kinds: ['v1'] })),
});

describe('planFolderWork', () => {
  it('cuts large objects into piece-aligned ranges and packs small ones, deterministically', () => {
    const work = planFolderWork(plan([100 * KiB, 10 * KiB, 10 * KiB, 30 * KiB, 5 * KiB]), { minChunkBytes: 40 * KiB });
    expect(work.chunkBytes).toBe(48 * KiB);
    expect(work.items.map((item) => item.map((s) => [s.object, s.start / KiB, s.end / KiB]))).toEqual([
      [[0, 0, 48]],
      [[0, 48, 96]],
      [
        [0, 96, 100],
        [1, 0, 10],
        [2, 0, 10],
      ],
      [
        [3, 0, 30],
        [4, 0, 5],
      ],
    ]);
    expect(planFolderWork(plan([100 * KiB, 10 * KiB, 10 * KiB, 30 * KiB, 5 * KiB]), { chunkBytes: 48 * KiB })).toEqual(work);
  });

  it('keeps within the item limit however many objects there are', () => {
    const work = planFolderWork(plan(Array.from({ length: 5000 }, () => 20 * KiB)), { minChunkBytes: 16 * KiB, maxChunks: 100 });
    expect(work.items.length).toBeLessThanOrEqual(100);
    expect(work.items.flat().reduce((n, s) => n + s.end - s.start, 0)).toBe(5000 * 20 * KiB);
  });

  it('carries segment hashes through bencode unchanged', () => {
    const segments = [
      { object: 3, start: 0, end: 40, v1: new Uint8Array(40).fill(1), v1PaddedTail: new Uint8Array(20).fill(2), v2: undefined },
    ];
    expect(decodeSegmentHashes(encodeSegmentHashes(segments))).toEqual(segments);
  });
});

describe('folder jobs in the workflow`s tasks', () => {
  const make = () => {
    const store = new MemoryObjectStore();
    const jobStore = new MemoryJobStore();
    const chunkResults = new MemoryChunkResults();
    const hashes = new MemoryObjectHashStore();
    const plans = new MemoryFolderJobPlans();
    const cache = new MemoryCache();
    const publisher = new MemoryPublisher(cache);
    const leases = new MemoryBuildLeases();
    const workflow = new FakeWorkflow();
    const jobs = new LargeObjectJobs({ jobs: jobStore, workflow, cache });
    const common = { listing: new MemoryObjectListing(store), store, hashes, cache, publisher, leases };
    const requests = new FolderTorrentService({ ...common, inlineHashLimit: 100 }, { jobs, plans });
    const assembler = new FolderTorrentService({ ...common, inlineHashLimit: 0 });
    const tasks = makeWorkflowTasks({
      store,
      publisher,
      jobs: jobStore,
      chunkResults,
      settings: { maxConcurrency: 4, minChunkBytes: 64 * KiB },
      folders: { plans, hashes, folders: assembler },
    });
    return { store, jobStore, workflow, requests, tasks, cache };
  };
  const files = [testBytes(150_000, 1), testBytes(20_000, 2), testBytes(30_000, 3)];

  it('plan, hash every item, assemble: the torrent of the job`s listing', async () => {
    const { store, workflow, requests, tasks } = make();
    files.forEach((data, i) => store.put('b', `p/${i}.bin`, data));
    const pending = await requests.torrentFor('b', 'p/', { format: 'hybrid' });
    expect('job' in pending).toBe(true);
    const input = [...workflow.started.values()][0] as WorkflowInput;
    const planned = await tasks.planChunks(input);
    expect(planned.chunks.length).toBeGreaterThan(1);
    for (const chunk of planned.chunks) await tasks.hashChunk({ job: input.job, plan: planned.plan, chunk });
    await tasks.assembleTorrent({ job: input.job, plan: planned.plan });
    const done = await requests.torrentFor('b', 'p/', { format: 'hybrid' });
    if (!('torrent' in done)) throw new Error('expected the torrent');
    const reference = referenceFolderInfo(
      'p',
      files.map((data, i) => ({ path: [`${i}.bin`], data })),
      done.torrent.pieceLength,
      'hybrid',
      'bep47',
    );
    expect(Buffer.from(done.torrent.info).equals(Buffer.from(reference.info))).toBe(true);
  });

  it('fails the job when an object changes under it; the next request lists again and starts another', async () => {
    const { store, workflow, requests, tasks, jobStore } = make();
    files.forEach((data, i) => store.put('b', `p/${i}.bin`, data));
    await requests.torrentFor('b', 'p/');
    const input = [...workflow.started.values()][0] as WorkflowInput;
    const planned = await tasks.planChunks(input);
    store.put('b', 'p/0.bin', testBytes(150_000, 42));
    await expect(tasks.hashChunk({ job: input.job, plan: planned.plan, chunk: 0 })).rejects.toThrow(/changed/);
    expect((await jobStore.get(input.job.jobId))?.failure?.code).toBe('ObjectChanged');
    await requests.torrentFor('b', 'p/');
    expect(workflow.started.size).toBe(2);
  });
});

describe('FolderJobPlans contract', () => {
  const clients = testClients();
  const bucket = `plans-${uniqueSuffix()}`;
  beforeAll(() => createBucket(clients, bucket));
  afterAll(() => clients.s3.destroy());

  it.each([
    ['memory', () => new MemoryFolderJobPlans()],
    ['S3', () => new S3FolderJobPlans(clients.s3, bucket)],
  ] as [string, () => FolderJobPlans][])('%s: gives back what was put, by id; nothing for another id', async (_name, make) => {
    const plans = make();
    const p = plan([10, 20]);
    await plans.put('job-1', p);
    expect(await plans.get('job-1')).toEqual(p);
    expect(await plans.get('job-2')).toBeUndefined();
    await plans.put('job-1', { ...p, variant: 'hybrid' });
    expect((await plans.get('job-1'))?.variant).toBe('hybrid');
  });
});
