import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HashingJob } from '../ports/job-store';
import type { ObjectHead } from '../ports/object-store';
import { badRequest, ServiceError } from '../http/errors';
import { jsonResponse, type HttpResult } from '../http/http';
import { encodeKeyPath, JOBS_PREFIX } from '../http/routes';
import type { AccessMode, SourceAllowlist } from '../config/sources';
import type { LargeObjectJobs } from '../torrents/large-object-jobs';
import { jobPage } from './job-page';

/**
 * HTTP for torrents still being built: `?torrent` answers 202 while the hashing workflow runs (with
 * the status URL and Retry-After), 502 when its job failed, and 202 when another request is
 * still building an object's torrent inline; `GET /-/jobs/{jobId}` reports a job's progress.
 */

/** The job as the status route and a 202 show it. */
export function jobView(job: HashingJob, baseUrl: string, jobs: LargeObjectJobs) {
  const retryableAt = jobs.retryableAt(job);
  return {
    jobId: job.jobId,
    state: job.state,
    bucket: job.bucket,
    key: job.key,
    ...(job.versionId !== undefined ? { versionId: job.versionId } : {}),
    etag: job.etag,
    size: job.size,
    pieceLength: job.pieceLength,
    piecesDone: job.piecesDone,
    piecesTotal: job.piecesTotal,
    attempt: job.attempt,
    maxAttempts: jobs.retry.maxAttempts,
    startedAt: job.startedAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    ...(job.finishedAt ? { finishedAt: job.finishedAt.toISOString() } : {}),
    ...(job.failure ? { failure: job.failure } : {}),
    ...(retryableAt ? { retryableAt: retryableAt.toISOString() } : {}),
    ...(job.infoHash ? { infoHash: job.infoHash } : {}),
    statusUrl: statusUrl(baseUrl, job.jobId),
    torrentUrl: `${baseUrl}/${job.bucket}/${encodeKeyPath(job.key)}?torrent`,
  };
}

/**
 * `?torrent` for an object the workflow is hashing: 202 while it runs (JSON, or an HTML progress
 * page for a browser), a 502 error once it failed. For a private object the status route stays
 * closed, so the answer points nowhere but back at `?torrent` (asked again with the same link).
 */
export function pendingTorrentResponse(
  job: HashingJob,
  baseUrl: string,
  jobs: LargeObjectJobs,
  access: AccessMode = 'public',
  as: 'json' | 'html' = 'json',
): HttpResult {
  const status = access === 'public' ? statusUrl(baseUrl, job.jobId) : undefined;
  if (job.state === 'FAILED') {
    const retryableAt = jobs.retryableAt(job);
    const next = retryableAt
      ? `It will be tried again on the first request after ${retryableAt.toISOString()} (attempt ${job.attempt} of ${jobs.retry.maxAttempts}).`
      : `It will not be tried again for this version of the object (${job.attempt} attempts).`;
    const reason = job.failure ? `${job.failure.code}: ${job.failure.message}` : 'no cause recorded';
    throw new ServiceError(
      502,
      'TorrentBuildFailed',
      `Building the torrent of ${JSON.stringify(job.key)} failed (${reason}). ${next}${status ? ` Job: ${status}` : ''}`,
      {
        ...(status ? { 'x-torrent-job': status } : {}),
        ...(retryableAt ? { 'retry-after': String(Math.max(1, Math.ceil((retryableAt.getTime() - Date.now()) / 1000))) } : {}),
      },
    );
  }
  const view = jobView(job, baseUrl, jobs);
  // The answer depends on Accept (and is never cached).
  const common = { 'retry-after': String(retryAfterSeconds(job)), 'cache-control': 'no-store', vary: 'accept' };
  if (as === 'html') {
    const page = jobPage(status === undefined ? { ...view, statusUrl: undefined, torrentUrl: undefined } : view, retryAfterSeconds(job));
    return { ...page, headers: { ...page.headers, ...common, ...(status ? { location: status, 'x-torrent-job': status } : {}) } };
  }
  if (status === undefined) {
    const { statusUrl: _closed, torrentUrl: _unsigned, ...privateView } = view;
    return jsonResponse(
      202,
      { message: `The torrent of ${JSON.stringify(job.key)} is being built; ask again later with the same link.`, ...privateView },
      common,
    );
  }
  return jsonResponse(
    202,
    { message: `The torrent of ${JSON.stringify(job.key)} is being built; ask again later, or follow the status URL.`, ...view },
    { ...common, location: status, 'x-torrent-job': status },
  );
}

/**
 * `?torrent` while another request builds the same object's torrent inline and this one has waited
 * as long as it may (API Gateway's 30 s). The same 202 + Retry-After as a workflow job, without a
 * status URL: the build takes seconds, and asking `?torrent` again is the way to get it.
 */
export function inProgressResponse(head: ObjectHead, retryAfter: number, baseUrl: string, access: AccessMode = 'public'): HttpResult {
  return jsonResponse(
    202,
    {
      message: `The torrent of ${JSON.stringify(head.key)} is being built by another request; ask again in ${retryAfter} s${access === 'private' ? ' with the same link' : ''}.`,
      state: 'BUILDING',
      bucket: head.bucket,
      key: head.key,
      ...(head.versionId !== undefined ? { versionId: head.versionId } : {}),
      etag: head.etag,
      size: head.size,
      ...(access === 'public' ? { torrentUrl: `${baseUrl}/${head.bucket}/${encodeKeyPath(head.key)}?torrent` } : {}),
    },
    { 'retry-after': String(retryAfter), 'cache-control': 'no-store' },
  );
}

/** `GET /-/jobs/{jobId}`. A job of an object this service may not serve is as unknown as a missing one. */
export async function jobStatusResponse(
  jobs: LargeObjectJobs | undefined,
  sources: SourceAllowlist,
  event: APIGatewayProxyEventV2,
  baseUrl: string,
): Promise<HttpResult> {
  const jobId = event.pathParameters?.jobId ?? '';
  if (!/^[0-9a-f]{40}$/.test(jobId)) throw badRequest(`${JSON.stringify(jobId)} is not a job id.`, 'InvalidJobId');
  const job = jobs && (await jobs.status(jobId));
  // Jobs of private objects are reported only through `?torrent` with a signed link or IAM.
  if (jobs === undefined || job === undefined || sources.accessFor(job.bucket, job.key) !== 'public') {
    throw new ServiceError(404, 'NoSuchJob', `There is no hashing job ${jobId}.`);
  }
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (job.state === 'RUNNING') headers['retry-after'] = String(retryAfterSeconds(job));
  return jsonResponse(200, jobView(job, baseUrl, jobs), headers);
}

export function statusUrl(baseUrl: string, jobId: string): string {
  return `${baseUrl}${JOBS_PREFIX}/${jobId}`;
}

/** A polling hint: about a second per 256 MiB still to hash, between 2 and 30 seconds. */
export function retryAfterSeconds(job: HashingJob): number {
  const remainingBytes = Math.max(0, job.piecesTotal - job.piecesDone) * job.pieceLength;
  return Math.min(30, Math.max(2, Math.ceil(remainingBytes / (256 * 1024 * 1024))));
}
