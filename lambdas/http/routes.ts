/**
 * The HTTP API's routes, shared by the CDK construct that creates them and the local server that
 * matches requests against them the way API Gateway does.
 *
 * Service routes live under `/-/`: no S3 bucket name can be `-`, so they never shadow an object.
 */
export type RouteTarget = 'endpoint' | 'tracker';

export interface RouteDefinition {
  readonly method: 'GET' | 'HEAD';
  readonly path: string;
  readonly target: RouteTarget;
  /** `iam`: API Gateway verifies a SigV4 signature (execute-api) before the Lambda runs. */
  readonly auth?: 'iam';
}

export const ROUTE = {
  OBJECT_GET: 'GET /{bucket}/{key+}',
  OBJECT_HEAD: 'HEAD /{bucket}/{key+}',
  WEBSEED_GET: 'GET /-/webseed/{bucket}/{key+}',
  WEBSEED_HEAD: 'HEAD /-/webseed/{bucket}/{key+}',
  /** The web seed of one version of an object, the version in the path (see endpoint.ts, webSeedUrl). */
  WEBSEED_VERSION_GET: 'GET /-/webseed-version/{versionId}/{bucket}/{key+}',
  WEBSEED_VERSION_HEAD: 'HEAD /-/webseed-version/{versionId}/{bucket}/{key+}',
  /** The web seed of a private folder torrent: its signed link rides in the path (see endpoint/folder-torrents.ts). */
  FOLDER_WEBSEED_GET: 'GET /-/webseed-folder/{link}/{bucket}/{key+}',
  FOLDER_WEBSEED_HEAD: 'HEAD /-/webseed-folder/{link}/{bucket}/{key+}',
  IAM_OBJECT_GET: 'GET /-/iam/{bucket}/{key+}',
  IAM_OBJECT_HEAD: 'HEAD /-/iam/{bucket}/{key+}',
  JOB_STATUS: 'GET /-/jobs/{jobId}',
  ANNOUNCE: 'GET /announce',
  SCRAPE: 'GET /scrape',
  PRIVATE_ANNOUNCE: 'GET /-/private/{token}/announce',
  PRIVATE_SCRAPE: 'GET /-/private/{token}/scrape',
} as const;

export const WEBSEED_PREFIX = '/-/webseed';
/** Status of a hashing-workflow job: `${JOBS_PREFIX}/<jobId>`, the URL a 202 points to. */
export const JOBS_PREFIX = '/-/jobs';
export const WEBSEED_VERSION_PREFIX = '/-/webseed-version';
export const FOLDER_WEBSEED_PREFIX = '/-/webseed-folder';

/** The announce URL of a private torrent, relative to the public base URL. */
export const privateAnnouncePath = (token: string) => `/-/private/${token}/announce`;

/**
 * A public torrent's announce URL with its web-seed ticket, passkey-style: `?ticket=` on the
 * ordinary route, so the path still starts with /announce (libtorrent's SSRF mitigation refuses
 * any other path on a loopback tracker) and clients derive /scrape from it.
 */
export const withTicket = (announceUrl: string, ticket: string) => `${announceUrl}${announceUrl.includes('?') ? '&' : '?'}ticket=${ticket}`;

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', path: '/{bucket}/{key+}', target: 'endpoint' },
  { method: 'HEAD', path: '/{bucket}/{key+}', target: 'endpoint' },
  { method: 'GET', path: '/-/webseed/{bucket}/{key+}', target: 'endpoint' },
  { method: 'HEAD', path: '/-/webseed/{bucket}/{key+}', target: 'endpoint' },
  { method: 'GET', path: '/-/webseed-version/{versionId}/{bucket}/{key+}', target: 'endpoint' },
  { method: 'HEAD', path: '/-/webseed-version/{versionId}/{bucket}/{key+}', target: 'endpoint' },
  { method: 'GET', path: '/-/webseed-folder/{link}/{bucket}/{key+}', target: 'endpoint' },
  { method: 'HEAD', path: '/-/webseed-folder/{link}/{bucket}/{key+}', target: 'endpoint' },
  // The object routes again, for callers signing with AWS credentials (private sources without a link).
  { method: 'GET', path: '/-/iam/{bucket}/{key+}', target: 'endpoint', auth: 'iam' },
  { method: 'HEAD', path: '/-/iam/{bucket}/{key+}', target: 'endpoint', auth: 'iam' },
  { method: 'GET', path: '/announce', target: 'tracker' },
  { method: 'GET', path: '/scrape', target: 'tracker' },
  // Private torrents announce with a per-torrent token in the path; the scrape URL clients derive
  // from it (BEP 48: replace the last segment's `announce` with `scrape`) carries the token too.
  { method: 'GET', path: '/-/private/{token}/announce', target: 'tracker' },
  { method: 'GET', path: '/-/private/{token}/scrape', target: 'tracker' },
  { method: 'GET', path: '/-/jobs/{jobId}', target: 'endpoint' },
];

export const routeKey = (route: RouteDefinition) => `${route.method} ${route.path}`;

/** Percent-encodes an S3 key for a URL path, keeping `/` as the separator. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
