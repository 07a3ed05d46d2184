import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { encodeInfoV1, infoHashV1 } from '../../lambdas/core/info-dict';
import { hashPieces } from '../../lambdas/core/piece-hasher';
import { pieceLengthFor } from '../../lambdas/core/piece-length';
import { haveMktorrent, run } from '../support/programs';
import { putObject, startTestService, testBytes } from '../support/service';
import { infoHashOfTorrentFile } from '../support/torrents';

type Service = Awaited<ReturnType<typeof startTestService>>;
const MiB = 1024 * 1024;

interface JobView {
  jobId: string;
  state: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  piecesDone: number;
  piecesTotal: number;
  attempt: number;
  statusUrl: string;
  torrentUrl: string;
  failure?: { code: string; message: string };
  retryableAt?: string;
  infoHash?: string;
}

function expectedInfoHash(data: Buffer, name: string): string {
  const pieceLength = pieceLengthFor(data.length);
  return Buffer.from(infoHashV1(encodeInfoV1({ name, length: data.length, pieceLength, pieces: hashPieces(data, pieceLength) }))).toString(
    'hex',
  );
}

async function torrent(service: Service, key: string) {
  const res = await fetch(`${service.apiUrl}/${service.bucket}/${key}?torrent`);
  const body = Buffer.from(await res.arrayBuffer());
  return { res, body, json: () => JSON.parse(body.toString()) as JobView & { code: string; message: string } };
}

async function status(url: string): Promise<JobView> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as JobView;
}

/** Polls a job's status URL until `done` holds (or the test times out). */
async function waitForJob(url: string, done: (job: JobView) => boolean, intervalMs = 50): Promise<JobView> {
  for (;;) {
    const job = await status(url);
    if (done(job)) return job;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

describe('large objects go through the hashing workflow (run locally)', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startTestService({
      inlineHashLimit: MiB,
      workflow: { minChunkBytes: 32 * MiB, maxConcurrency: 4, retry: { cooldownMs: 1500 }, retryIntervalMs: 10 },
    });
  });
  afterAll(() => service.stop());

  const describeIfMktorrent = haveMktorrent() ? it : it.skip;
  describeIfMktorrent(
    'a 300 MiB object: 202 with a status URL, then 200 with the infohash mktorrent gives',
    async () => {
      const size = 300 * MiB + 12_345;
      const data = testBytes(size, 42);
      const key = 'films/big movie.mkv';
      await putObject(service.clients, service.bucket, key, data);

      const first = await torrent(service, 'films/big%20movie.mkv');
      expect(first.res.status).toBe(202);
      const job = first.json();
      expect(first.res.headers.get('location')).toBe(job.statusUrl);
      expect(Number(first.res.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
      expect(job).toMatchObject({ state: 'RUNNING', attempt: 1, piecesTotal: Math.ceil(size / (256 * 1024)) });
      expect(job.statusUrl).toBe(`${service.apiUrl}/-/jobs/${job.jobId}`);

      const done = await waitForJob(job.statusUrl, (j) => j.state !== 'RUNNING', 200);
      expect(done).toMatchObject({ state: 'SUCCEEDED', piecesDone: job.piecesTotal });

      const second = await torrent(service, 'films/big%20movie.mkv');
      expect(second.res.status).toBe(200);
      expect(second.res.headers.get('x-torrent-infohash')).toBe(done.infoHash);

      const dir = mkdtempSync(join(tmpdir(), 'workflow-mktorrent-'));
      try {
        writeFileSync(join(dir, 'big movie.mkv'), data);
        const out = join(dir, 'big.torrent');
        const made = await run('mktorrent', ['-l', '18', '-o', out, join(dir, 'big movie.mkv')], 120_000);
        expect(made.status).toBe(0);
        expect(infoHashOfTorrentFile(second.body)).toBe(infoHashOfTorrentFile(readFileSync(out)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      // One execution, and its chunk results cleaned up.
      expect(service.workflow!.executionNames.filter((n) => n.startsWith(job.jobId))).toEqual([`${job.jobId}-1`]);
      const leftovers = await service.clients.s3.send(new ListObjectsV2Command({ Bucket: service.names.metadataBucket, Prefix: 'jobs/' }));
      expect(leftovers.KeyCount ?? 0).toBe(0);
    },
    180_000,
  );

  it('50 concurrent requests for the same uncached object start one execution', async () => {
    const data = testBytes(6 * MiB, 7);
    await putObject(service.clients, service.bucket, 'concurrent.bin', data);
    const before = service.workflow!.executionNames.length;
    const responses = await Promise.all(Array.from({ length: 50 }, () => torrent(service, 'concurrent.bin')));
    expect(new Set(responses.map((r) => r.res.status))).toEqual(new Set([202]));
    const jobIds = new Set(responses.map((r) => r.json().jobId));
    expect(jobIds.size).toBe(1);
    expect(service.workflow!.executionNames.length).toBe(before + 1);
    await service.workflow!.idle();
    const after = await torrent(service, 'concurrent.bin');
    expect(after.res.status).toBe(200);
    expect(after.res.headers.get('x-torrent-infohash')).toBe(expectedInfoHash(data, 'concurrent.bin'));
  });

  it('answers 404 for an unknown job and 400 for a malformed id', async () => {
    const unknown = await fetch(`${service.apiUrl}/-/jobs/${'0'.repeat(40)}`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('NoSuchJob');
    const malformed = await fetch(`${service.apiUrl}/-/jobs/nope`);
    expect(malformed.status).toBe(400);
  });

  it('HEAD ?torrent on a building object answers 202 with the headers and no body', async () => {
    await putObject(service.clients, service.bucket, 'head.bin', testBytes(2 * MiB, 5));
    const res = await fetch(`${service.apiUrl}/${service.bucket}/head.bin?torrent`, { method: 'HEAD' });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toMatch(/\/-\/jobs\/[0-9a-f]{40}$/);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    await service.workflow!.idle();
  });

  it('keeps job records out of the object partitions the cache evicts', async () => {
    const items = await service.clients.dynamoDb.send(
      new QueryCommand({
        TableName: service.names.torrentTable,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'object' },
        ExpressionAttributeValues: { ':pk': `${service.bucket}/concurrent.bin` },
      }),
    );
    expect((items.Items ?? []).map((i) => i.build)).toEqual([expect.stringMatching(/^etag:".*"#v1$/)]);
  });
});

describe('jobs that fail', () => {
  let service: Service;
  beforeAll(async () => {
    // Small chunks hashed one at a time: a job takes long enough to be caught in the middle.
    service = await startTestService({
      inlineHashLimit: MiB,
      workflow: { minChunkBytes: MiB / 2, maxConcurrency: 1, retry: { cooldownMs: 3000 } },
    });
  });
  afterAll(() => service.stop());

  /** Starts the job of `key`, and overwrites the object with `replacement` once some pieces are hashed. */
  async function overwriteMidJob(key: string, replacement: Buffer): Promise<JobView> {
    const first = await torrent(service, key);
    expect(first.res.status).toBe(202);
    const job = first.json();
    const midway = await waitForJob(job.statusUrl, (j) => j.piecesDone > 0 || j.state !== 'RUNNING', 10);
    expect(midway.state).toBe('RUNNING');
    expect(midway.piecesDone).toBeLessThan(midway.piecesTotal);
    await putObject(service.clients, service.bucket, key, replacement);
    const failed = await waitForJob(job.statusUrl, (j) => j.state !== 'RUNNING');
    expect(failed).toMatchObject({ state: 'FAILED', attempt: 1, failure: { code: 'ObjectChanged' } });
    expect(failed.failure!.message).toMatch(/changed while it was being hashed/);
    await service.workflow!.idle();
    expect(await service.workflow!.describe(`${job.jobId}-1`)).toMatchObject({ status: 'FAILED', error: 'ObjectChangedError' });
    return failed;
  }

  it('an object overwritten mid-job fails the job clearly; the next request builds the new object', async () => {
    const v2 = testBytes(24 * MiB, 2);
    await putObject(service.clients, service.bucket, 'overwritten.bin', testBytes(24 * MiB, 1));
    const failed = await overwriteMidJob('overwritten.bin', v2);

    const next = await torrent(service, 'overwritten.bin');
    expect(next.res.status).toBe(202);
    expect(next.json().jobId).not.toBe(failed.jobId);
    await service.workflow!.idle();
    const done = await torrent(service, 'overwritten.bin');
    expect(done.res.status).toBe(200);
    expect(done.res.headers.get('x-torrent-infohash')).toBe(expectedInfoHash(v2, 'overwritten.bin'));
  }, 120_000);

  it('a failed job is reported (502), not restarted, until its cool-down; then it is tried again', async () => {
    const original = testBytes(24 * MiB, 3);
    await putObject(service.clients, service.bucket, 'flapping.bin', original);
    const failed = await overwriteMidJob('flapping.bin', testBytes(24 * MiB, 4));
    // The original bytes again: the same ETag, so the same identity and the same (failed) job.
    await putObject(service.clients, service.bucket, 'flapping.bin', original);

    const reported = await torrent(service, 'flapping.bin');
    expect(reported.res.status).toBe(502);
    expect(reported.json()).toMatchObject({ code: 'TorrentBuildFailed', message: expect.stringContaining('ObjectChanged') });
    expect(reported.res.headers.get('x-torrent-job')).toBe(failed.statusUrl);
    expect(Number(reported.res.headers.get('retry-after'))).toBeLessThanOrEqual(3);
    expect(failed.retryableAt).toBeDefined();

    await new Promise((r) => setTimeout(r, Date.parse(failed.retryableAt!) - Date.now() + 50));
    const retried = await torrent(service, 'flapping.bin');
    expect(retried.res.status).toBe(202);
    expect(retried.json()).toMatchObject({ jobId: failed.jobId, attempt: 2, state: 'RUNNING' });
    await service.workflow!.idle();
    const done = await torrent(service, 'flapping.bin');
    expect(done.res.status).toBe(200);
    expect(done.res.headers.get('x-torrent-infohash')).toBe(expectedInfoHash(original, 'flapping.bin'));
    expect(service.workflow!.executionNames).toContain(`${failed.jobId}-2`);
  }, 120_000);
});
