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
}

export const ROUTE = {
  OBJECT_GET: 'GET /{bucket}/{key+}',
  OBJECT_HEAD: 'HEAD /{bucket}/{key+}',
  WEBSEED_GET: 'GET /-/webseed/{bucket}/{key+}',
  WEBSEED_HEAD: 'HEAD /-/webseed/{bucket}/{key+}',
  JOB_STATUS: 'GET /-/jobs/{jobId}',
  ANNOUNCE: 'GET /announce',
  SCRAPE: 'GET /scrape',
} as const;

export const WEBSEED_PREFIX = '/-/webseed';
/** Status of a hashing-workflow job: `${JOBS_PREFIX}/<jobId>`, the URL a 202 points to. */
export const JOBS_PREFIX = '/-/jobs';

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', path: '/{bucket}/{key+}', target: 'endpoint' },
  { method: 'HEAD', path: '/{bucket}/{key+}', target: 'endpoint' },
  { method: 'GET', path: '/-/webseed/{bucket}/{key+}', target: 'endpoint' },
  { method: 'HEAD', path: '/-/webseed/{bucket}/{key+}', target: 'endpoint' },
  { method: 'GET', path: '/-/jobs/{jobId}', target: 'endpoint' },
];

export const routeKey = (route: RouteDefinition) => `${route.method} ${route.path}`;

/** Percent-encodes an S3 key for a URL path, keeping `/` as the separator. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
