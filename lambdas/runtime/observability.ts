import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { HttpResult } from '../http/http';

export { MetricUnit };

export const METRICS_NAMESPACE = 's3-torrent';

/** Module-level singletons for a Lambda entry point (Powertools reads its settings from the environment). */
export function lambdaObservability(serviceName: string): { logger: Logger; metrics: Metrics } {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}

export type HttpHandler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<HttpResult>;

/** Turns what a request did (visible in its result) into metrics; kept beside each handler. */
export type MetricsRecorder = (metrics: Metrics, event: APIGatewayProxyEventV2, result: HttpResult) => void;

/**
 * Wraps an HTTP handler with one structured log line per request (route, status, duration, and
 * the infohash when there is one) and flushes the metrics the recorder derives from the result.
 */
export function instrumented(handler: HttpHandler, logger: Logger, metrics: Metrics, record: MetricsRecorder): HttpHandler {
  return async (event, context) => {
    const started = Date.now();
    if (context) logger.addContext(context);
    logger.appendKeys({ requestId: event.requestContext.requestId });
    try {
      const result = await handler(event, context);
      const infoHash = result.headers['x-torrent-infohash'];
      logger.info('request', {
        routeKey: event.routeKey,
        status: result.statusCode,
        durationMs: Date.now() - started,
        ...(infoHash ? { infoHash } : {}),
      });
      record(metrics, event, result);
      return result;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}

/**
 * The same for a non-HTTP handler (Step Functions tasks, S3 events): the Lambda context on every
 * log line, metrics derived from what it returned, flushed even when it throws.
 */
export function instrumentedTask<I, O>(
  handler: (input: I) => Promise<O>,
  logger: Logger,
  metrics: Metrics,
  record: (metrics: Metrics, input: I, output: O) => void,
): (input: I, context?: Context) => Promise<O> {
  return async (input, context) => {
    if (context) logger.addContext(context);
    try {
      const output = await handler(input);
      record(metrics, input, output);
      return output;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
