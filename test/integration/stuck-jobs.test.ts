import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DynamoDbJobStore } from '../../lambdas/adapters/dynamodb-job-store';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store';
import { DynamoDbTorrentCache } from '../../lambdas/adapters/dynamodb-torrent-cache';
import { SourceAllowlist } from '../../lambdas/config/sources';
import { TORRENT_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { jobStatusResponse } from '../../lambdas/endpoint/job-responses';
import { pieceCount, pieceLengthFor } from '../../lambdas/core/piece-length';
import type { ExecutionStatus } from '../../lambdas/ports/hashing-workflow';
import { executionNameFor, jobIdFor } from '../../lambdas/ports/hashing-job';
import type { NewJob } from '../../lambdas/ports/job-store';
import { objectIdentity, type ObjectHead } from '../../lambdas/ports/object-store';
import { LargeObjectJobs, STALE_JOB_MS } from '../../lambdas/torrents/large-object-jobs';
import { FakeWorkflow } from '../support/fakes';
import { createBucket, createTestTable, putObject, startTestService, testBytes, testClients, uniqueSuffix } from '../support/service';

/**
 * A job the endpoint finds RUNNING with no sign of life for over a minute is compared with its
 * execution (LargeObjectJobs.reconcile). Its first step writes `checkedAt` to the job record: on
 * DynamoDB, not only on the fake.
 */
const MiB = 1024 * 1024;

function newJobFor(head: ObjectHead, startedAt: Date): NewJob {
  const identity = objectIdentity(head);
  const jobId = jobIdFor(head.bucket, head.key, identity, 'v1');
  const pieceLength = pieceLengthFor(head.size);
  return {
    jobId,
    attempt: 1,
    executionName: executionNameFor(jobId, 1),
    bucket: head.bucket,
    key: head.key,
    identity,
    etag: head.etag,
    size: head.size,
    variant: 'v1',
    pieceLength,
    piecesTotal: pieceCount(head.size, pieceLength),
    startedAt,
  };
}

describe('stuck jobs on DynamoDB Local, through LargeObjectJobs and the status route', () => {
  const clients = testClients();
  const suffix = uniqueSuffix();
  const table = `stuck-${suffix}`;
  const bucket = `stuck-${suffix}`;
  let now = Date.parse('2030-01-01T00:00:00Z');
  const clock = () => new Date(now);
  const store = new DynamoDbJobStore(clients.dynamoDb, table, clock);
  const workflow = new FakeWorkflow();
  const jobs = new LargeObjectJobs({
    jobs: store,
    workflow,
    cache: new DynamoDbTorrentCache(clients.dynamoDb, table, clients.s3, bucket),
    clock,
  });

  beforeAll(async () => {
    await createTestTable(table, TORRENT_TABLE_SCHEMA);
    await createBucket(clients, bucket);
  });
  afterAll(() => {
    clients.s3.destroy();
    clients.dynamoDb.destroy();
  });

  const statusRoute = (jobId: string) =>
    jobStatusResponse(
      jobs,
      new SourceAllowlist(['*']),
      { pathParameters: { jobId }, requestContext: { requestId: 'r' } } as unknown as APIGatewayProxyEventV2,
      'https://torrents.example',
    );

  let n = 0;
  async function staleJob(): Promise<NewJob> {
    const head: ObjectHead = { bucket: 'b', key: `big-${n++}.bin`, size: 300 * MiB, etag: `"${n}"` };
    const job = newJobFor(head, clock());
    expect(await store.begin(job)).toBe(true);
    now += STALE_JOB_MS + 1000;
    return job;
  }

  it('starts an execution that never started, and answers 200', async () => {
    const job = await staleJob();
    const res = await statusRoute(job.jobId);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toMatchObject({ jobId: job.jobId, state: 'RUNNING' });
    expect(workflow.started.get(job.executionName)).toMatchObject({ job: { jobId: job.jobId, attempt: 1 } });
    expect((await store.get(job.jobId))?.checkedAt).toEqual(clock());
  });

  it.each([
    ['TIMED_OUT', 'ExecutionTimedOut'],
    ['ABORTED', 'ExecutionAborted'],
    ['FAILED', 'ExecutionFailed'],
  ] as const)('marks a job whose execution ended %s without recording it failed (%s), and answers 200', async (status, code) => {
    const job = await staleJob();
    workflow.descriptions.set(job.executionName, { status: status as ExecutionStatus, error: 'States.Timeout' });
    const res = await statusRoute(job.jobId);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toMatchObject({ state: 'FAILED', failure: { code } });
    expect(await store.get(job.jobId)).toMatchObject({ state: 'FAILED', failure: { code } });
  });

  it('leaves a job with a running execution alone, and checks it again only a minute later', async () => {
    const job = await staleJob();
    workflow.descriptions.set(job.executionName, { status: 'RUNNING' });
    expect((await statusRoute(job.jobId)).statusCode).toBe(200);
    const checkedAt = (await store.get(job.jobId))?.checkedAt;
    expect(checkedAt).toEqual(clock());
    now += 1000;
    await statusRoute(job.jobId);
    expect((await store.get(job.jobId))?.checkedAt).toEqual(checkedAt);
    now += STALE_JOB_MS;
    await statusRoute(job.jobId);
    expect((await store.get(job.jobId))?.checkedAt).toEqual(clock());
  });
});

describe('a job whose execution never started, on `npm start`', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    service = await startTestService({ inlineHashLimit: MiB, workflow: { minChunkBytes: MiB, maxConcurrency: 2 } });
  });
  afterAll(() => service.stop());

  it('is started by the first status request a minute later, and the torrent is built', async () => {
    await putObject(service.clients, service.bucket, 'orphan.bin', testBytes(3 * MiB, 9));
    const head = await new S3ObjectStore(service.clients.s3).head(service.bucket, 'orphan.bin');
    // The request that created the job died before StartExecution: a record a minute and more old.
    const past = new Date(Date.now() - STALE_JOB_MS - 5000);
    const job = newJobFor(head, past);
    expect(await new DynamoDbJobStore(service.clients.dynamoDb, service.names.torrentTable, () => past).begin(job)).toBe(true);
    expect(service.workflow!.executionNames).not.toContain(job.executionName);

    const res = await fetch(`${service.apiUrl}/-/jobs/${job.jobId}`);
    expect(res.status).toBe(200);
    expect(service.workflow!.executionNames).toContain(job.executionName);
    await service.workflow!.idle();
    const done = (await (await fetch(`${service.apiUrl}/-/jobs/${job.jobId}`)).json()) as { state: string };
    expect(done.state).toBe('SUCCEEDED');
    const torrent = await fetch(`${service.apiUrl}/${service.bucket}/orphan.bin?torrent`);
    expect(torrent.status).toBe(200);
  });
});
