import { encodeKeyPath } from '../http/routes';

/**
 * The paths of objects on the web-seed distribution (and on the local gateway that stands in for
 * it). The viewer-request function (`lambdas/edge/web-seed-gate.js`) parses the same grammar:
 *
 * - `/<bucket>/<key>`: a public object, the URL torrents carry; it never expires.
 * - `/-/version/<versionId>/<bucket>/<key>`: one version of a public object, the version in the
 *   path so the URL has no query string (v2 web seeds end in `/` and clients append the name;
 *   libtorrent and qBittorrent refuse local URLs with a query string).
 * - `/-/private/<bucket>/<key>[?versionId=…]`: a private object; the behaviour for `/-/private/*`
 *   trusts the stack's key group, so CloudFront serves it only with a valid signed URL.
 *
 * No bucket can be named `-`, so these never shadow an object.
 */
export const CLOUDFRONT_PRIVATE_PREFIX = '/-/private';
export const CLOUDFRONT_VERSION_PREFIX = '/-/version';
/** The path pattern of the private behaviour. */
export const CLOUDFRONT_PRIVATE_PATH_PATTERN = `${CLOUDFRONT_PRIVATE_PREFIX}/*`;

export interface CloudFrontObject {
  readonly bucket: string;
  /** The key, or for a v2 directory web seed the directory (ending in `/`). */
  readonly key: string;
  readonly versionId?: string;
}

/** Path and query of a public object's web seed: no query string, ever. */
export function publicObjectPath(object: CloudFrontObject): string {
  const version = object.versionId !== undefined ? `${CLOUDFRONT_VERSION_PREFIX}/${encodeURIComponent(object.versionId)}` : '';
  return `${version}/${object.bucket}/${encodeKeyPath(object.key)}`;
}

/** Path and query of a private object, before CloudFront's signing parameters are appended. */
export function privateObjectPath(object: CloudFrontObject): string {
  const version = object.versionId !== undefined ? `?versionId=${encodeURIComponent(object.versionId)}` : '';
  return `${CLOUDFRONT_PRIVATE_PREFIX}/${object.bucket}/${encodeKeyPath(object.key)}${version}`;
}
