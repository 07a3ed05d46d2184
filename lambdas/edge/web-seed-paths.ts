import { join } from 'node:path';
import { encodeKeyPath } from '../http/routes';
import { formatTicket, type Ticket } from '../core/gate/ticket';

/**
 * The web seed's URL grammar on the distribution (and the local gateway), shared by the endpoint
 * that writes web seeds, the edge function that reads them (lambdas/edge/web-seed-gate.js, plain
 * JavaScript, kept in step by test/edge/) and the CDK construct that names the origins:
 *
 *   /<bucket>/<key>                                a public object, never gated
 *   /_<gate key>.<ticket id>/<bucket>/<key>        the same object through the gate
 *   [/_<ticket>]/~<version id>/<bucket>/<key>      one version of it (`~` starts no bucket name)
 *
 * Keys are percent-encoded segment by segment; a v2-only torrent's web seed names the directory
 * (ending in `/`) and clients append the file name. No query string, so libtorrent and
 * qBittorrent accept the URL even on a loopback address (SSRF mitigation).
 */
export interface WebSeedTarget {
  readonly bucket: string;
  /** The key, or for a directory web seed its prefix ending in `/` (or empty). */
  readonly key: string;
  readonly versionId?: string;
  readonly ticket?: Ticket;
}

export function webSeedPath(target: WebSeedTarget): string {
  const gate = target.ticket ? `/_${formatTicket(target.ticket)}` : '';
  const version = target.versionId !== undefined ? `/~${encodeURIComponent(target.versionId)}` : '';
  return `${gate}${version}/${target.bucket}/${encodeKeyPath(target.key)}`;
}

/** The id of a bucket's S3 origin on the distribution; the function selects it per request. */
export const WEB_SEED_ORIGIN_PREFIX = 's3-';
export const webSeedOriginId = (bucket: string) => `${WEB_SEED_ORIGIN_PREFIX}${bucket}`;

/** The function's source file, uploaded by CDK and run by the local gateway. */
export const WEB_SEED_GATE_FUNCTION_FILE = join(__dirname, 'web-seed-gate.js');
