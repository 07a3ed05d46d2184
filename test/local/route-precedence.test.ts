import { ROUTES, routeKey, type RouteDefinition } from '../../lambdas/http/routes';
import { matchRoute, type LocalRoute } from '../../local/http-api';

/**
 * API Gateway HTTP APIs pick "the route with the most-specific match": a full match of route and
 * method before a match through a greedy path variable, before `$default` (docs/routes.md cites the
 * developer guide). The local API must choose as API Gateway does, or `npm start` would hide a route
 * that AWS shadows (or the reverse). The stack's own route table is checked here; the template
 * assertions in test/cdk/stack.test.ts show each of these routes is its own route key on AWS.
 */
const routes: LocalRoute[] = ROUTES.map((route) => ({ route, handler: async () => ({ statusCode: 200 }) }));
const chosen = (method: string, path: string) => {
  const match = matchRoute(routes, method, path);
  return match && { routeKey: routeKey(match.route.route), params: match.params };
};

describe('route precedence in the local API', () => {
  it.each([
    ['GET', '/-/webseed/my-bucket/dir/file.bin', 'GET /-/webseed/{bucket}/{key+}', { bucket: 'my-bucket', key: 'dir/file.bin' }],
    ['HEAD', '/-/webseed/my-bucket/file.bin', 'HEAD /-/webseed/{bucket}/{key+}', { bucket: 'my-bucket', key: 'file.bin' }],
    [
      'GET',
      '/-/webseed-version/3HL4kqtJlcpXroDTDmJ+rmSpXd3d/my-bucket/dir/',
      'GET /-/webseed-version/{versionId}/{bucket}/{key+}',
      { versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3d', bucket: 'my-bucket', key: 'dir/' },
    ],
    ['GET', '/-/iam/my-bucket/a/b.bin', 'GET /-/iam/{bucket}/{key+}', { bucket: 'my-bucket', key: 'a/b.bin' }],
    ['HEAD', '/-/iam/my-bucket/a/b.bin', 'HEAD /-/iam/{bucket}/{key+}', { bucket: 'my-bucket', key: 'a/b.bin' }],
    ['GET', `/-/jobs/${'a'.repeat(40)}`, 'GET /-/jobs/{jobId}', { jobId: 'a'.repeat(40) }],
    ['GET', '/announce', 'GET /announce', {}],
    ['GET', '/scrape', 'GET /scrape', {}],
    ['GET', '/-/private/TOKEN/announce', 'GET /-/private/{token}/announce', { token: 'TOKEN' }],
    ['GET', '/-/private/TOKEN/scrape', 'GET /-/private/{token}/scrape', { token: 'TOKEN' }],
  ])('%s %s goes to %s, not the object route', (method, path, expected, params) => {
    expect(chosen(method, path)).toEqual({ routeKey: expected, params });
  });

  it.each([
    ['GET', '/my-bucket/dir/file.bin', { bucket: 'my-bucket', key: 'dir/file.bin' }],
    ['GET', '/announce/x', { bucket: 'announce', key: 'x' }],
    ['GET', '/-/jobs/x/y', { bucket: '-', key: 'jobs/x/y' }],
    ['GET', '/-/webseed/only-bucket', { bucket: '-', key: 'webseed/only-bucket' }],
    ['HEAD', '/b/k', { bucket: 'b', key: 'k' }],
  ])('%s %s falls to the object route', (method, path, params) => {
    expect(chosen(method, path)).toEqual({ routeKey: `${method} /{bucket}/{key+}`, params });
  });

  it('matches nothing for a method no route takes, or a path with no key', () => {
    expect(chosen('POST', '/announce')).toBeUndefined();
    expect(chosen('GET', '/only-bucket')).toBeUndefined();
  });

  // The documented order, on routes of the developer guide's own example (GET ones).
  it('prefers a full match to any greedy match, then the more specific of each', () => {
    const example: RouteDefinition[] = [
      { method: 'GET', path: '/pets/dog/1', target: 'endpoint' },
      { method: 'GET', path: '/pets/dog/{id}', target: 'endpoint' },
      { method: 'GET', path: '/pets/{proxy+}', target: 'endpoint' },
      { method: 'GET', path: '/{proxy+}', target: 'endpoint' },
      { method: 'GET', path: '/{a}/{b}', target: 'endpoint' },
    ];
    const local = example.map((route) => ({ route, handler: async () => ({ statusCode: 200 }) }));
    const pick = (path: string) => matchRoute(local, 'GET', path)?.route.route.path;
    expect(pick('/pets/dog/1')).toBe('/pets/dog/1');
    expect(pick('/pets/dog/2')).toBe('/pets/dog/{id}');
    expect(pick('/pets/cat/1')).toBe('/pets/{proxy+}');
    expect(pick('/pets/cat')).toBe('/{a}/{b}'); // a full match beats a greedy one with more static segments
    expect(pick('/cats/x/y')).toBe('/{proxy+}');
  });
});
