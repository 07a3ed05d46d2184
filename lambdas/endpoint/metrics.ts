import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpResult } from '../http/http';
import { MetricUnit } from '../runtime/observability';
import { ROUTE } from '../http/routes';

/** Endpoint metrics: torrents built and served from cache, redirects to S3, client and server errors. */
export function recordEndpointMetrics(metrics: Metrics, event: APIGatewayProxyEventV2, result: HttpResult): void {
  const cache = result.headers['x-torrent-cache'];
  if (cache === 'hit') metrics.addMetric('TorrentCacheHits', MetricUnit.Count, 1);
  if (cache === 'miss') metrics.addMetric('TorrentsBuilt', MetricUnit.Count, 1);
  if (result.statusCode === 307) {
    const webSeed = event.routeKey === ROUTE.WEBSEED_GET || event.routeKey === ROUTE.WEBSEED_HEAD;
    metrics.addMetric(webSeed ? 'WebSeedRedirects' : 'ObjectRedirects', MetricUnit.Count, 1);
  }
  if (result.statusCode >= 400 && result.statusCode < 500) metrics.addMetric('ClientErrors', MetricUnit.Count, 1);
  if (result.statusCode >= 500) metrics.addMetric('ServerErrors', MetricUnit.Count, 1);
}
