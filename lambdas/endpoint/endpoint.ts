import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { encodeTorrentFile } from '../core/torrent-file';
import { attachmentDisposition } from '../core/torrent-name';
import { accessDenied, badRequest } from '../shared/errors';
import { binaryResponse, errorResponse, publicBaseUrl, redirectResponse, withoutBody, type HttpResult } from '../shared/http';
import { encodeKeyPath, ROUTE, WEBSEED_PREFIX } from '../shared/routes';
import type { SourceAllowlist } from '../shared/sources';
import type { ObjectStore } from '../ports/object-store';
import type { TorrentService, TorrentForObject, TorrentOutcome } from '../torrents/torrent-service';
import type { LargeObjectJobs } from '../torrents/large-object-jobs';
import { jobStatusResponse, pendingTorrentResponse } from './job-responses';

export const CREATED_BY = 's3-torrent/0.1';

export interface EndpointDeps {
  readonly service: TorrentService;
  readonly store: ObjectStore;
  readonly sources: SourceAllowlist;
  readonly presignedUrlTtlSeconds: number;
  readonly publicBaseUrl?: string;
  readonly announceUrl?: string;
  readonly logger: Logger;
  /** Hashing-workflow jobs, for objects above the inline limit (the service holds the same instance). */
  readonly jobs?: LargeObjectJobs;
}

/**
 * The object endpoint: `GET /{bucket}/{key}?torrent` answers the object's .torrent; without
 * `?torrent` (and on the web-seed route BEP 19 clients fetch) it redirects to a short-lived
 * presigned GET of the object, so private buckets never need a public ACL.
 */
export function makeEndpointHandler(deps: EndpointDeps) {
  return async (event: APIGatewayProxyEventV2, _context?: Context): Promise<HttpResult> => {
    const requestId = event.requestContext.requestId;
    try {
      const result = await route(deps, event);
      return event.requestContext.http.method === 'HEAD' ? withoutBody(result) : result;
    } catch (err) {
      return errorResponse(err, requestId, deps.logger);
    }
  };
}

async function route(deps: EndpointDeps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  if (event.routeKey === ROUTE.JOB_STATUS) return jobStatusResponse(deps.jobs, deps.sources, event, publicBaseUrl(event, deps.publicBaseUrl));
  const { bucket, key } = objectFromPath(event);
  if (!deps.sources.allows(bucket, key)) {
    throw accessDenied(`This service does not serve ${bucket}/${key}.`);
  }
  const query = new URLSearchParams(event.rawQueryString ?? '');
  switch (event.routeKey) {
    case ROUTE.WEBSEED_GET:
    case ROUTE.WEBSEED_HEAD:
      return redirectToObject(deps, bucket, key, query.get('versionId') ?? undefined);
    case ROUTE.OBJECT_GET:
    case ROUTE.OBJECT_HEAD:
      return query.has('torrent') ? torrentOrJobResponse(deps, event, await deps.service.torrentFor(bucket, key)) : redirectToObject(deps, bucket, key);
    default:
      throw badRequest(`No route for ${event.routeKey}.`);
  }
}

async function redirectToObject(deps: EndpointDeps, bucket: string, key: string, versionId?: string): Promise<HttpResult> {
  const url = await deps.store.presignGet(bucket, key, { versionId, expiresInSeconds: deps.presignedUrlTtlSeconds });
  return redirectResponse(url);
}

function torrentOrJobResponse(deps: EndpointDeps, event: APIGatewayProxyEventV2, found: TorrentOutcome): HttpResult {
  if (!('job' in found)) return torrentResponse(deps, event, found);
  if (deps.jobs === undefined) throw new Error('the service returned a hashing job but the endpoint has no jobs');
  return pendingTorrentResponse(found.job, publicBaseUrl(event, deps.publicBaseUrl), deps.jobs);
}

function torrentResponse(deps: EndpointDeps, event: APIGatewayProxyEventV2, found: TorrentForObject): HttpResult {
  const base = publicBaseUrl(event, deps.publicBaseUrl);
  const { head, torrent } = found;
  // The web seed is pinned to the version the torrent describes where the bucket is versioned.
  const webSeed =
    `${base}${WEBSEED_PREFIX}/${head.bucket}/${encodeKeyPath(head.key)}` +
    (head.versionId !== undefined ? `?versionId=${encodeURIComponent(head.versionId)}` : '');
  const file = encodeTorrentFile({
    info: torrent.info,
    announce: deps.announceUrl ?? `${base}/announce`,
    urlList: [webSeed],
    creationDate: torrent.createdAt,
    createdBy: CREATED_BY,
  });
  return binaryResponse(file, {
    'content-type': 'application/x-bittorrent',
    'content-disposition': attachmentDisposition(`${found.name}.torrent`),
    'cache-control': 'private, max-age=60',
    'x-torrent-infohash': torrent.infoHash,
    'x-torrent-cache': found.cached ? 'hit' : 'miss',
  });
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;

function objectFromPath(event: APIGatewayProxyEventV2): { bucket: string; key: string } {
  const bucket = event.pathParameters?.bucket ?? '';
  const key = event.pathParameters?.key ?? '';
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) throw badRequest(`${JSON.stringify(bucket)} is not a valid bucket name.`, 'InvalidBucketName');
  if (key.length === 0) throw badRequest('The object key is missing.', 'InvalidKey');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw badRequest(`Object keys are at most ${MAX_KEY_BYTES} bytes.`, 'KeyTooLongError');
  return { bucket, key };
}
