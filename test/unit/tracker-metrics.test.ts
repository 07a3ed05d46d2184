import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { encodeFailure } from '../../lambdas/core/tracker/responses';
import { bencode } from '../../lambdas/core/bencode';
import { recordTrackerMetrics } from '../../lambdas/tracker/metrics';
import { binaryResponse } from '../../lambdas/http/http';
import { ROUTE } from '../../lambdas/http/routes';

function recorded(routeKey: string, body: Uint8Array): string[] {
  const names: string[] = [];
  const metrics = { addMetric: (name: string) => names.push(name) } as unknown as Metrics;
  recordTrackerMetrics(metrics, { routeKey } as APIGatewayProxyEventV2, binaryResponse(body, {}));
  return names;
}

describe('tracker metrics', () => {
  const ok = bencode({ interval: 1800, peers: new Uint8Array(0) });
  it.each([
    [ROUTE.ANNOUNCE, ok, ['Announces']],
    [ROUTE.PRIVATE_ANNOUNCE, ok, ['Announces']],
    [ROUTE.SCRAPE, bencode({ files: {} }), ['Scrapes']],
    [ROUTE.ANNOUNCE, encodeFailure('unregistered torrent'), ['Announces', 'TrackerFailures']],
    [ROUTE.PRIVATE_SCRAPE, encodeFailure('x'), ['Scrapes', 'TrackerFailures']],
  ])('%s -> %j', (route, body, expected) => expect(recorded(route, body)).toEqual(expected));
});
