import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { encodeTorrentFile } from '../core/torrent-file';
import { attachmentDisposition } from '../core/torrent-name';
import { accessDenied, badRequest } from '../shared/errors';
import { binaryResponse, errorResponse, publicBaseUrl, redirectResponse, withoutBody, type HttpResult } from '../shared/http';
import { encodeKeyPath, ROUTE, WEBSEED_PREFIX, WEBSEED_VERSION_PREFIX } from '../shared/routes';
import type { SourceAllowlist } from '../shared/sources';
import type { ObjectHead, ObjectStore } from '../ports/object-store';
import type { TorrentFormat } from '../core/build-info';
import { infoHashesOf } from '../torrents/build-torrent';
import type { TorrentService, TorrentForObject } from '../torrents/torrent-service';

export const CREATED_BY = 's3-torrent/0.1';

export interface EndpointDeps {
  readonly service: TorrentService;
  readonly store: ObjectStore;
  readonly sources: SourceAllowlist;
  readonly presignedUrlTtlSeconds: number;
  readonly publicBaseUrl?: string;
  readonly announceUrl?: string;
  readonly logger: Logger;
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
  const { bucket, key } = objectFromPath(event);
  if (!deps.sources.allows(bucket, key)) {
    throw accessDenied(`This service does not serve ${bucket}/${key}.`);
  }
  const query = new URLSearchParams(event.rawQueryString ?? '');
  switch (event.routeKey) {
    case ROUTE.WEBSEED_GET:
    case ROUTE.WEBSEED_HEAD:
      return redirectToObject(deps, bucket, key, query.get('versionId') ?? undefined);
    case ROUTE.WEBSEED_VERSION_GET:
    case ROUTE.WEBSEED_VERSION_HEAD:
      return redirectToObject(deps, bucket, key, event.pathParameters?.versionId);
    case ROUTE.OBJECT_GET:
    case ROUTE.OBJECT_HEAD:
      return query.has('torrent')
        ? torrentResponse(deps, event, await deps.service.torrentFor(bucket, key, formatFromQuery(query)))
        : redirectToObject(deps, bucket, key);
    default:
      throw badRequest(`No route for ${event.routeKey}.`);
  }
}

async function redirectToObject(deps: EndpointDeps, bucket: string, key: string, versionId?: string): Promise<HttpResult> {
  const url = await deps.store.presignGet(bucket, key, { versionId, expiresInSeconds: deps.presignedUrlTtlSeconds });
  return redirectResponse(url);
}

function torrentResponse(deps: EndpointDeps, event: APIGatewayProxyEventV2, found: TorrentForObject): HttpResult {
  const base = publicBaseUrl(event, deps.publicBaseUrl);
  const { head, torrent } = found;
  const webSeed = webSeedUrl(base, head, found.name, found.format);
  const file = encodeTorrentFile({
    info: torrent.info,
    pieceLayers: torrent.pieceLayers,
    announce: deps.announceUrl ?? `${base}/announce`,
    urlList: [webSeed],
    creationDate: torrent.createdAt,
    createdBy: CREATED_BY,
  });
  return binaryResponse(file, {
    'content-type': 'application/x-bittorrent',
    'content-disposition': attachmentDisposition(`${found.name}.torrent`),
    'cache-control': 'private, max-age=60',
    ...infoHashHeaders(torrent.info, found.format),
    'x-torrent-cache': found.cached ? 'hit' : 'miss',
  });
}

/**
 * The web seed written into a torrent, pinned to the version the torrent describes where the bucket
 * is versioned. A v2-only torrent gets the directory holding the object, ending in `/`: libtorrent
 * 2.0 gives a single-file v2 torrent a tail padding file, takes it for a multi-file torrent and
 * appends the file name to any web seed URL; BEP 19 clients append the name to a URL ending in `/`
 * too. Either way the request names the object. A query string would end up before the appended
 * name, so the version goes in the path (`/-/webseed-version/<version>/...`).
 */
function webSeedUrl(base: string, head: ObjectHead, name: string, format: TorrentFormat): string {
  const directory = head.key.slice(0, head.key.length - name.length);
  const asDirectory = format === 'v2' && head.key.endsWith(name) && (directory === '' || directory.endsWith('/'));
  if (!asDirectory) {
    return (
      `${base}${WEBSEED_PREFIX}/${head.bucket}/${encodeKeyPath(head.key)}` +
      (head.versionId !== undefined ? `?versionId=${encodeURIComponent(head.versionId)}` : '')
    );
  }
  const prefix = head.versionId !== undefined ? `${WEBSEED_VERSION_PREFIX}/${encodeURIComponent(head.versionId)}` : WEBSEED_PREFIX;
  return `${base}${prefix}/${head.bucket}/${encodeKeyPath(directory)}`;
}

// `version=1` (the default: aria2 and Transmission 3 load only v1), `version=2` or `version=hybrid`.
const FORMAT_OF_VERSION: Record<string, TorrentFormat> = { '1': 'v1', '2': 'v2', hybrid: 'hybrid' };

function formatFromQuery(query: URLSearchParams): TorrentFormat {
  const version = query.get('version');
  if (version === null) return 'v1';
  const format = FORMAT_OF_VERSION[version];
  if (format === undefined) throw badRequest(`version must be 1, 2 or hybrid, not ${JSON.stringify(version)}.`, 'InvalidArgument');
  return format;
}

/**
 * `X-Torrent-Infohash` is the hash clients show for the torrent: the v1 SHA-1 (v1 and hybrid) or,
 * for v2-only torrents, the full v2 SHA-256. `X-Torrent-Infohash-V2` is the v2 SHA-256 of v2 and
 * hybrid torrents (trackers see its first 20 bytes).
 */
function infoHashHeaders(info: Uint8Array, format: TorrentFormat): Record<string, string> {
  const hashes = infoHashesOf(info, format);
  return {
    'x-torrent-infohash': (hashes.v1 ?? hashes.v2) as string,
    ...(hashes.v2 !== undefined ? { 'x-torrent-infohash-v2': hashes.v2 } : {}),
  };
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
