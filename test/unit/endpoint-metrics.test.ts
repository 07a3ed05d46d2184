import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { recordEndpointMetrics } from '../../lambdas/endpoint/metrics';
import type { HttpResult } from '../../lambdas/http/http';
import { ROUTE } from '../../lambdas/http/routes';

function recorded(routeKey: string, statusCode: number, headers: Record<string, string> = {}): string[] {
  const names: string[] = [];
  const metrics = { addMetric: (name: string) => names.push(name) } as unknown as Metrics;
  recordEndpointMetrics(metrics, { routeKey } as APIGatewayProxyEventV2, { statusCode, headers } as HttpResult);
  return names;
}

describe('endpoint metrics', () => {
  it.each([
    [ROUTE.OBJECT_GET, 200, { 'x-torrent-cache': 'miss' }, ['TorrentsBuilt']],
    [ROUTE.OBJECT_GET, 200, { 'x-torrent-cache': 'hit' }, ['TorrentCacheHits']],
    [ROUTE.WEBSEED_GET, 307, {}, ['WebSeedRedirects']],
    [ROUTE.WEBSEED_HEAD, 307, {}, ['WebSeedRedirects']],
    [ROUTE.OBJECT_GET, 307, {}, ['ObjectRedirects']],
    [ROUTE.OBJECT_GET, 404, {}, ['ClientErrors']],
    [ROUTE.OBJECT_GET, 500, {}, ['ServerErrors']],
  ])('%s %d %j -> %j', (route, status, headers, expected) => {
    expect(recorded(route, status, headers)).toEqual(expected);
  });
});
