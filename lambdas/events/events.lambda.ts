import { createAwsClients } from '../runtime/aws-clients';
import { eventsEnvShape, readEnv } from '../config/config';
import { instrumentedTask, lambdaObservability } from '../runtime/observability';
import { torrentServiceFromEnv } from '../torrents/from-env';
import { eventsDeps } from './deps';
import { makeEventsHandler } from './events';
import { recordEventMetrics } from './metrics';

const env = readEnv(eventsEnvShape);
const { logger, metrics } = lambdaObservability('s3-torrent-events');
const { settings, options } = torrentServiceFromEnv(env);

/** S3 object events (EventBridge or S3 notifications): pre-build torrents on upload, evict on delete. */
export const handler = instrumentedTask(
  makeEventsHandler(eventsDeps(createAwsClients(), settings, logger, options)),
  logger,
  metrics,
  recordEventMetrics,
);
