import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { FOLDER_PADDINGS, type FolderPadding } from '../core/folder-layout';
import { encodeTorrentFile } from '../core/torrent-file';
import { attachmentDisposition } from '../core/torrent-name';
import { badRequest } from '../http/errors';
import { binaryResponse, publicBaseUrl, type HttpResult } from '../http/http';
import { encodeKeyPath, FOLDER_WEBSEED_PREFIX, privateAnnouncePath, WEBSEED_PREFIX } from '../http/routes';
import type { AccessMode } from '../config/sources';
import type { LinkCheck, LinkSigner } from '../security/signed-links';
import type { FolderTorrent, FolderTorrentService } from '../folders/folder-service';
import { announcedInfoHashes } from '../torrents/build-torrent';
import { formatFromQuery, infoHashHeaders } from './torrent-response';
import { inProgressResponse, pendingTorrentResponse } from './job-responses';
import { prefersHtml } from '../http/negotiation';
import type { LargeObjectJobs } from '../torrents/large-object-jobs';

/** The endpoint's folder torrents: the service, and how long a private folder's web-seed link lives. */
export interface FolderTorrents {
  readonly service: FolderTorrentService;
  readonly privateWebSeedTtlSeconds: number;
}

/** What `?torrent` on a prefix needs besides the endpoint's common settings. */
export interface FolderEndpointDeps {
  readonly folders: FolderTorrents;
  readonly signer: LinkSigner;
  readonly sources: { accessFor(bucket: string, key: string): AccessMode | undefined };
  readonly publicBaseUrl?: string;
  readonly announceUrl?: string;
  readonly createdBy: string;
  readonly clock?: () => Date;
  /** Hashing-workflow jobs, for folders with more to hash than a request may. */
  readonly jobs?: LargeObjectJobs;
}

/**
 * `GET|HEAD /{bucket}/{prefix}/?torrent`: the multi-file torrent of every object under the prefix,
 * `version=1|2|hybrid` as for objects, and `padding=none` for a v1 torrent in mktorrent's layout.
 *
 * Its web seed is the directory holding the folder, ending in `/`: BEP 19 clients append the
 * torrent's name and each file's path, which gives each object's key on the API's web-seed route.
 * That route answers BEP 47 pad files (which are no objects) with zeros and redirects every file to
 * its bytes as the deployment serves objects: a presigned S3 GET, or its URL on the CloudFront
 * distribution (signed for private objects). A private folder's web seed carries its signed link
 * in the path (a query string would end up before the appended path):
 * `/-/webseed-folder/<link>/<bucket>/<parent>/`.
 */
export async function folderTorrentResponse(
  deps: FolderEndpointDeps,
  event: APIGatewayProxyEventV2,
  bucket: string,
  prefix: string,
  query: URLSearchParams,
  access: AccessMode,
): Promise<HttpResult> {
  const format = formatFromQuery(query);
  const padding = paddingFromQuery(query);
  // Every object must be served to this caller as the folder is: a private prefix inside a public folder keeps the folder closed.
  const servable = (key: string) => deps.sources.accessFor(bucket, key) === access;
  const outcome = await deps.folders.service.torrentFor(bucket, prefix, { format, padding, private: access === 'private' }, servable);
  const base = publicBaseUrl(event, deps.publicBaseUrl);
  if ('job' in outcome) {
    // More to hash than a request may: 202 with the job, as for large objects.
    if (deps.jobs === undefined) throw new Error('the folder service returned a hashing job but the endpoint has no jobs');
    return pendingTorrentResponse(outcome.job, base, deps.jobs, access, prefersHtml(event.headers?.accept) ? 'html' : 'json');
  }
  if ('inProgress' in outcome) {
    // Another request holds the folder's build lease and was still building when this one stopped waiting.
    const listing = { bucket, key: prefix, size: outcome.size, etag: outcome.identity };
    return inProgressResponse(listing, outcome.inProgress.retryAfterSeconds, base, access);
  }
  const found = outcome;
  const parent = encodeKeyPath(prefix.slice(0, prefix.length - found.name.length - 1));
  let webSeed: string;
  let announce: string;
  if (access === 'private') {
    const expires = Math.floor(now(deps).getTime() / 1000) + deps.folders.privateWebSeedTtlSeconds;
    webSeed = `${base}${FOLDER_WEBSEED_PREFIX}/${folderWebSeedLink(deps.signer, bucket, prefix, expires)}/${bucket}/${parent}`;
    announce = `${base}${privateAnnouncePath(deps.signer.announceToken(announcedInfoHashes(found.torrent.info, format)[0] as string))}`;
  } else {
    webSeed = `${base}${WEBSEED_PREFIX}/${bucket}/${parent}`;
    announce = deps.announceUrl ?? `${base}/announce`;
  }
  const file = encodeTorrentFile({
    info: found.torrent.info,
    pieceLayers: found.torrent.pieceLayers,
    announce,
    urlList: [webSeed],
    creationDate: found.torrent.createdAt,
    createdBy: deps.createdBy,
  });
  return binaryResponse(file, {
    'content-type': 'application/x-bittorrent',
    'content-disposition': attachmentDisposition(`${found.name}.torrent`),
    'cache-control': access === 'private' ? 'private, no-store' : 'private, max-age=60',
    ...infoHashHeaders(found.torrent.info, format),
    ...folderHeaders(found),
  });
}

function folderHeaders(found: FolderTorrent): Record<string, string> {
  return {
    'x-torrent-cache': found.cached ? 'hit' : 'miss',
    'x-torrent-files': String(found.fileCount),
    // What this request read and hashed: on a rebuild, the objects that changed, not the folder.
    'x-torrent-bytes-hashed': String(found.bytesHashed),
  };
}

function paddingFromQuery(query: URLSearchParams): FolderPadding {
  const padding = query.get('padding') ?? 'bep47';
  if (!(FOLDER_PADDINGS as readonly string[]).includes(padding)) {
    throw badRequest(`padding must be bep47 or none, not ${JSON.stringify(padding.slice(0, 20))}.`, 'InvalidArgument');
  }
  return padding as FolderPadding;
}

/**
 * The signed link of a private folder's web seed, a path segment: `<expires>.<depth>.<signature>`,
 * where depth is the number of segments of the prefix, so the route can tell the folder's prefix
 * from the file path a client appended, and the signature covers that prefix.
 */
export function folderWebSeedLink(signer: LinkSigner, bucket: string, prefix: string, expires: number): string {
  const depth = prefix.split('/').length - 1;
  return `${expires}.${depth}.${signer.sign({ purpose: 'webseed-folder', bucket, key: prefix }, expires)}`;
}

/** Checks a folder web-seed link against the key a client asked for: it must lie under the signed prefix. */
export function verifyFolderWebSeedLink(signer: LinkSigner, link: string, bucket: string, key: string, at: Date): LinkCheck {
  const match = /^(\d{1,12})\.(\d{1,3})\.([A-Za-z0-9_-]{1,100})$/.exec(link);
  if (!match) return { ok: false, reason: 'malformed folder link' };
  const depth = Number(match[2]);
  const segments = key.split('/');
  if (depth < 1 || segments.length <= depth) return { ok: false, reason: 'the key is not under the folder of this link' };
  const prefix = `${segments.slice(0, depth).join('/')}/`;
  return signer.verify(
    { purpose: 'webseed-folder', bucket, key: prefix },
    new URLSearchParams({ expires: match[1] as string, signature: match[3] as string }),
    at,
  );
}

const now = (deps: { clock?: () => Date }) => (deps.clock ?? (() => new Date()))();
