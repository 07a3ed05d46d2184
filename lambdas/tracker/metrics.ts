import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpResult } from '../http/http';
import { MetricUnit } from '../runtime/observability';
import { ROUTE } from '../http/routes';

// A refusal is a dictionary whose only key is `failure reason`: bencode sorts keys, so it starts so.
const FAILURE_PREFIX = Buffer.from('d14:failure reason').toString('base64').slice(0, 20);

/** Tracker metrics: announces and scrapes answered, and those answered with a failure reason. */
export function recordTrackerMetrics(metrics: Metrics, event: APIGatewayProxyEventV2, result: HttpResult): void {
  const scrape = event.routeKey === ROUTE.SCRAPE || event.routeKey === ROUTE.PRIVATE_SCRAPE;
  metrics.addMetric(scrape ? 'Scrapes' : 'Announces', MetricUnit.Count, 1);
  if (result.isBase64Encoded && result.body?.startsWith(FAILURE_PREFIX)) metrics.addMetric('TrackerFailures', MetricUnit.Count, 1);
}
