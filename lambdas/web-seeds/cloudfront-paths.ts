import { encodeKeyPath } from '../http/routes';
import { formatTicket, type Ticket } from '../core/gate/ticket';

/**
 * The paths of objects on the web-seed distribution (and on the local gateway that stands in for
 * it). The viewer-request function (`lambdas/edge/web-seed-gate.js`) parses the same grammar:
 *
 *   /<bucket>/<key>                         a public object: the URL torrents carry, never expiring
 *   /~<version id>/<bucket>/<key>           one version of it (`~` starts no bucket name)
 *   /_<gate key>.<ticket id>[/~<version id>]/<bucket>/<key>
 *                                           the same through the swarm-aware gate: a ticket per
 *                                           `?torrent` answer (docs/web-seed.md; `_` starts no
 *                                           bucket name either)
 *   /-/private[/~<version id>]/<bucket>/<key>?Expires=…&Key-Pair-Id=…&Signature=…
 *                                           a private object; the `/-/private/*` behaviour trusts
 *                                           the stack's key group, so CloudFront serves it only
 *                                           with a valid signed URL
 *
 * Keys are percent-encoded segment by segment. Public paths have no query string, so libtorrent
 * and qBittorrent accept them even on a loopback address (SSRF mitigation), and a v2 web seed can
 * end in `/` for clients to append the file name. No bucket name starts with `-` or `~`.
 */
export const CLOUDFRONT_PRIVATE_PREFIX = '/-/private';
/** The path pattern of the private behaviour. */
export const CLOUDFRONT_PRIVATE_PATH_PATTERN = `${CLOUDFRONT_PRIVATE_PREFIX}/*`;

/** The id of a bucket's S3 origin on the distribution; the function selects it per request. */
export const WEB_SEED_ORIGIN_PREFIX = 's3-';
export const webSeedOriginId = (bucket: string) => `${WEB_SEED_ORIGIN_PREFIX}${bucket}`;

export interface CloudFrontObject {
  readonly bucket: string;
  /** The key, or for a v2 directory web seed the directory (ending in `/`). */
  readonly key: string;
  readonly versionId?: string;
}

const objectPath = (object: CloudFrontObject) =>
  `${object.versionId !== undefined ? `/~${encodeURIComponent(object.versionId)}` : ''}/${object.bucket}/${encodeKeyPath(object.key)}`;

/** The path of a public object's web seed, with the gate's ticket when it has one: no query string, ever. */
export function publicObjectPath(object: CloudFrontObject & { readonly ticket?: Ticket }): string {
  return `${object.ticket !== undefined ? `/_${formatTicket(object.ticket)}` : ''}${objectPath(object)}`;
}

/** The path of a private object, before CloudFront's signing parameters are appended. */
export function privateObjectPath(object: CloudFrontObject): string {
  return `${CLOUDFRONT_PRIVATE_PREFIX}${objectPath(object)}`;
}
