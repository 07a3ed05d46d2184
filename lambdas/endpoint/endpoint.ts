import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithIAMAuthorizer, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { encodeTorrentFile } from '../core/torrent-file';
import { attachmentDisposition } from '../core/torrent-name';
import { accessDenied, badRequest, ServiceError } from '../http/errors';
import { binaryResponse, errorResponse, publicBaseUrl, redirectResponse, withoutBody, type HttpResult } from '../http/http';
import { privateAnnouncePath, ROUTE, withTicket } from '../http/routes';
import { formatTicket } from '../core/gate/ticket';
import type { WebSeedGate } from '../gate/web-seed-gate';
import type { LinkPurpose, LinkSigner } from '../security/signed-links';
import type { AccessMode, SourceAllowlist } from '../config/sources';
import type { ObjectStore } from '../ports/object-store';
import { announcedInfoHashes } from '../torrents/build-torrent';
import { formatFromQuery, infoHashHeaders } from './torrent-response';
import type { TorrentService, TorrentForObject, TorrentOutcome } from '../torrents/torrent-service';
import type { LargeObjectJobs } from '../torrents/large-object-jobs';
import type { WebSeedObject, WebSeeds } from '../web-seeds/web-seeds';
import { inProgressResponse, jobStatusResponse, pendingTorrentResponse } from './job-responses';
import { prefersHtml } from '../http/negotiation';
import { folderTorrentResponse, verifyFolderWebSeedLink, type FolderTorrents } from './folder-torrents';
import { padFileResponse } from './pad-files';

export const CREATED_BY = 's3-torrent/0.1';

export interface EndpointDeps {
  readonly service: TorrentService;
  readonly store: ObjectStore;
  readonly sources: SourceAllowlist;
  readonly signer: LinkSigner;
  /** Where web seeds and redirects point: the CloudFront distribution, or presigned S3 URLs. */
  readonly webSeeds: WebSeeds;
  readonly publicBaseUrl?: string;
  readonly announceUrl?: string;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** Hashing-workflow jobs, for objects above the inline limit (the service holds the same instance). */
  readonly jobs?: LargeObjectJobs;
  /** The swarm-aware web seed (CloudFront mode only): each public answer gets a ticket (docs/web-seed.md). */
  readonly gate?: WebSeedGate;
  /** Objects smaller than this are never gated: their S3 cost is small and a park body could pass for data. */
  readonly gateMinBytes?: number;
  /** Torrents of prefixes (`?torrent` on a key path ending in `/`); without it they are refused. */
  readonly folders?: FolderTorrents;
}

/** Default of EndpointDeps.gateMinBytes. */
export const DEFAULT_GATE_MIN_BYTES = 1024 * 1024;

/**
 * The object endpoint: `GET /{bucket}/{key}?torrent` answers the object's .torrent; without
 * `?torrent` (and on the API's web-seed route) it redirects to the object's bytes: its URL on the
 * CloudFront distribution (signed for private objects), or a presigned S3 GET where there is no
 * distribution, so private buckets never need a public ACL. Objects of private sources are served
 * only with a signed link for that purpose, or on the IAM-authorized routes.
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

type RouteKind = 'object' | 'webseed' | 'folder-webseed' | 'iam-object';

const ROUTE_KINDS: Record<string, RouteKind> = {
  [ROUTE.OBJECT_GET]: 'object',
  [ROUTE.OBJECT_HEAD]: 'object',
  [ROUTE.WEBSEED_GET]: 'webseed',
  [ROUTE.WEBSEED_HEAD]: 'webseed',
  [ROUTE.WEBSEED_VERSION_GET]: 'webseed',
  [ROUTE.WEBSEED_VERSION_HEAD]: 'webseed',
  [ROUTE.FOLDER_WEBSEED_GET]: 'folder-webseed',
  [ROUTE.FOLDER_WEBSEED_HEAD]: 'folder-webseed',
  [ROUTE.IAM_OBJECT_GET]: 'iam-object',
  [ROUTE.IAM_OBJECT_HEAD]: 'iam-object',
};

async function route(deps: EndpointDeps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  if (event.routeKey === ROUTE.JOB_STATUS)
    return jobStatusResponse(deps.jobs, deps.sources, event, publicBaseUrl(event, deps.publicBaseUrl));
  const kind = ROUTE_KINDS[event.routeKey];
  if (kind === undefined) throw badRequest(`No route for ${event.routeKey}.`);
  const { bucket, key } = objectFromPath(event);
  const query = queryOf(event);
  const seed = kind === 'webseed' || kind === 'folder-webseed';
  if (seed) checkRangeHeader(event.headers?.range);
  const access = deps.sources.accessFor(bucket, key);
  if (access === undefined) throw accessDenied(`This service does not serve ${bucket}/${key}.`);
  const wantsTorrent = !seed && query.has('torrent');
  // The version of a web seed is in the query, or in the path on /-/webseed-version/ (see webSeedUrl).
  const versionId = kind === 'webseed' ? checkVersionId(event.pathParameters?.versionId ?? query.get('versionId') ?? undefined) : undefined;
  authorize(
    deps,
    event,
    kind,
    access,
    { purpose: kind === 'webseed' ? 'webseed' : wantsTorrent ? 'torrent' : 'object', bucket, key, versionId },
    query,
  );

  // A HEAD is redirected to a URL presigned for HEAD: an S3 signature covers the method.
  const method = event.requestContext.http.method === 'HEAD' ? 'HEAD' : 'GET';
  if (seed) {
    // BEP 47 pad files of folder torrents are no objects: zeros, for clients that ask for them.
    const pad = versionId === undefined ? await padFileResponse(deps.store, bucket, key, event.headers?.range) : undefined;
    return pad ?? redirectToObject(deps, method, { bucket, key, versionId, access });
  }
  if (!wantsTorrent) {
    // The front door HEADs first, so a missing object is a clear 404 here rather than S3's XML
    // error after the redirect. (The web seed skips this: clients hit it once per range.)
    await deps.store.head(bucket, key);
    return redirectToObject(deps, method, { bucket, key, access });
  }
  if (key.endsWith('/')) {
    if (deps.folders === undefined) throw new ServiceError(501, 'NotImplemented', 'This deployment makes no folder torrents.');
    return folderTorrentResponse({ ...deps, folders: deps.folders, createdBy: CREATED_BY }, event, bucket, key, query, access);
  }
  const found = await deps.service.torrentFor(bucket, key, { private: access === 'private', format: formatFromQuery(query) });
  return await torrentOrJobResponse(deps, event, found, access);
}

/**
 * Public sources need nothing. Private ones need IAM (verified by API Gateway on the `/-/iam/`
 * routes before the Lambda runs; checked again here) or a signed link for exactly this purpose.
 */
function authorize(
  deps: EndpointDeps,
  event: APIGatewayProxyEventV2,
  kind: RouteKind,
  access: AccessMode,
  target: { purpose: LinkPurpose; bucket: string; key: string; versionId?: string },
  query: URLSearchParams,
): void {
  if (kind === 'folder-webseed') {
    // The link is checked for every source: this route exists only for private folder torrents.
    const check = verifyFolderWebSeedLink(deps.signer, event.pathParameters?.link ?? '', target.bucket, target.key, now(deps));
    if (!check.ok) throw accessDenied(`${target.bucket}/${target.key}: ${check.reason}.`);
    return;
  }
  if (kind === 'iam-object') {
    const iam = (event as APIGatewayProxyEventV2WithIAMAuthorizer).requestContext.authorizer?.iam;
    if (!iam?.accessKey) throw accessDenied('This route needs a request signed with AWS credentials (SigV4).');
    return;
  }
  if (access === 'public') return;
  const check = deps.signer.verify(target, query, now(deps));
  if (!check.ok) throw accessDenied(`${target.bucket}/${target.key} is private: ${check.reason}.`);
}

async function redirectToObject(deps: EndpointDeps, method: 'GET' | 'HEAD', object: WebSeedObject): Promise<HttpResult> {
  return redirectResponse(await deps.webSeeds.objectLocation(object, now(deps), method));
}

async function torrentOrJobResponse(
  deps: EndpointDeps,
  event: APIGatewayProxyEventV2,
  found: TorrentOutcome,
  access: AccessMode,
): Promise<HttpResult> {
  if ('inProgress' in found)
    return inProgressResponse(found.head, found.inProgress.retryAfterSeconds, publicBaseUrl(event, deps.publicBaseUrl), access);
  if (!('job' in found)) return torrentResponse(deps, event, found, access);
  if (deps.jobs === undefined) throw new Error('the service returned a hashing job but the endpoint has no jobs');
  const as = prefersHtml(event.headers?.accept) ? 'html' : 'json';
  return pendingTorrentResponse(found.job, publicBaseUrl(event, deps.publicBaseUrl), deps.jobs, access, as);
}

async function torrentResponse(
  deps: EndpointDeps,
  event: APIGatewayProxyEventV2,
  found: TorrentForObject,
  access: AccessMode,
): Promise<HttpResult> {
  const base = publicBaseUrl(event, deps.publicBaseUrl);
  const { head, torrent } = found;
  // The tracker checks a private torrent's token against the hash clients announce first: v1, or the truncated v2.
  const announcedInfoHash = announcedInfoHashes(torrent.info, found.format)[0] as string;
  // A HEAD answer is never used to download: it gets no ticket (and costs no gate write). Private
  // objects' web seeds are signed URLs, not gated; presigned redirects cannot be gated at all.
  const gated =
    access === 'public' &&
    deps.gate !== undefined &&
    deps.webSeeds.mode === 'cloudfront' &&
    event.requestContext.http.method !== 'HEAD' &&
    head.size >= (deps.gateMinBytes ?? DEFAULT_GATE_MIN_BYTES);
  const ticket = gated ? await deps.gate?.issue(announcedInfoHash) : undefined;
  const announce =
    access === 'private'
      ? `${base}${privateAnnouncePath(deps.signer.announceToken(announcedInfoHash))}`
      : ticket !== undefined
        ? withTicket(deps.announceUrl ?? `${base}/announce`, formatTicket(ticket))
        : (deps.announceUrl ?? `${base}/announce`);
  const webSeed = await deps.webSeeds.torrentWebSeed(
    { bucket: head.bucket, key: head.key, versionId: head.versionId, access, name: found.name, format: found.format, ticket },
    base,
    now(deps),
  );
  const file = encodeTorrentFile({
    info: torrent.info,
    pieceLayers: torrent.pieceLayers,
    announce,
    urlList: [webSeed],
    creationDate: torrent.createdAt,
    createdBy: CREATED_BY,
  });
  return binaryResponse(file, {
    'content-type': 'application/x-bittorrent',
    'content-disposition': attachmentDisposition(`${found.name}.torrent`),
    'cache-control': access === 'private' ? 'private, no-store' : 'private, max-age=60',
    ...infoHashHeaders(torrent.info, found.format),
    'x-torrent-cache': found.cached ? 'hit' : 'miss',
  });
}

const now = (deps: EndpointDeps) => (deps.clock ?? (() => new Date()))();

/** Real clients send a few short parameters; anything this long is not one of them. */
export const MAX_QUERY_BYTES = 4096;
const SINGLE_VALUED = ['torrent', 'version', 'versionId', 'expires', 'signature', 'padding'];

function queryOf(event: APIGatewayProxyEventV2): URLSearchParams {
  const raw = event.rawQueryString ?? '';
  if (raw.length > MAX_QUERY_BYTES) throw new ServiceError(414, 'QueryTooLong', `Query strings are at most ${MAX_QUERY_BYTES} bytes.`);
  const query = new URLSearchParams(raw);
  for (const name of SINGLE_VALUED) {
    if (query.getAll(name).length > 1) throw badRequest(`The parameter ${name} is given more than once.`, 'InvalidArgument');
  }
  return query;
}

/**
 * The web seed passes Range through to S3, which judges whether it fits the object; a header that
 * is not even a byte range (RFC 9110) is refused here rather than forwarded.
 */
function checkRangeHeader(range: string | undefined): void {
  if (range === undefined) return;
  const specs = /^bytes=(.+)$/.exec(range.trim())?.[1]?.split(',');
  const valid =
    specs !== undefined &&
    specs.length <= 16 &&
    specs.every((spec) => {
      const m = /^\s*(\d{0,15})-(\d{0,15})\s*$/.exec(spec);
      if (!m || (m[1] === '' && m[2] === '')) return false;
      return m[1] === '' || m[2] === '' || Number(m[1]) <= Number(m[2]);
    });
  if (!valid) throw new ServiceError(416, 'InvalidRange', `${JSON.stringify(range.slice(0, 100))} is not a valid byte range.`);
}

/**
 * S3 version ids are opaque, URL-ready strings of at most 1,024 bytes: in practice 32 characters of
 * letters, digits, `.` and `_` (the S3 user guide's example also has `+`), or `null` for the null
 * version. Anything else (`..`, separators, spaces, control or non-ASCII characters) cannot name a
 * version and is refused rather than written into a presigned URL.
 */
const VERSION_ID = /^[A-Za-z0-9._+=-]{1,1024}$/;

function checkVersionId(versionId: string | undefined): string | undefined {
  if (versionId === undefined) return undefined;
  if (!VERSION_ID.test(versionId) || /^\.+$/.test(versionId)) {
    throw badRequest(`${JSON.stringify(versionId.slice(0, 100))} is not an S3 version id.`, 'InvalidArgument');
  }
  return versionId;
}

const MAX_KEY_BYTES = 1024;

/** S3's bucket naming rules (general purpose buckets). */
export function isValidBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name)
  );
}

function objectFromPath(event: APIGatewayProxyEventV2): { bucket: string; key: string } {
  const bucket = event.pathParameters?.bucket ?? '';
  const key = event.pathParameters?.key ?? '';
  if (!isValidBucketName(bucket))
    throw badRequest(`${JSON.stringify(bucket.slice(0, 100))} is not a valid bucket name.`, 'InvalidBucketName');
  if (key.length === 0) throw badRequest('The object key is missing.', 'InvalidKey');
  // S3 allows control characters in keys, but nothing legitimate asks for them through a URL.
  if (/[\u0000-\u001f\u007f]/.test(key)) throw badRequest('Keys with control characters are not served.', 'InvalidKey');
  // Nor `.`/`..` segments: legal in S3, but the stuff of path traversal in whatever saves the file.
  if (key.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw badRequest('Keys with . or .. segments are not served.', 'InvalidKey');
  }
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
    throw badRequest(`Object keys are at most ${MAX_KEY_BYTES} bytes.`, 'KeyTooLongError');
  return { bucket, key };
}
