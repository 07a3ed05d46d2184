import { createDynamoDbClient } from '../runtime/aws-clients';
import { readEnv, trackerEnvShape } from '../config/config';
import { ENV } from '../config/env';
import { instrumented, lambdaObservability } from '../runtime/observability';
import { loadSigningKey, SigningKeyCache, withSigningKey } from '../security/signing-key';
import { trackerDeps } from './deps';
import { recordTrackerMetrics } from './metrics';
import { makeTrackerHandler, trackerUnavailable } from './tracker';
import { gateSettingsFromEnv } from '../gate/deps';

const env = readEnv(trackerEnvShape);
const { logger, metrics } = lambdaObservability('s3-torrent-tracker');

// The key is read on the first request and again every few minutes (rotation); a failed read
// answers that request with a failure reason and is retried by the next.
const keys = new SigningKeyCache(() => loadSigningKey(env[ENV.SIGNING_SECRET_ARN]), {
  onRefreshFailed: (error) => logger.warn('signing key refresh failed; keeping the current key', { error: error as Error }),
});
const dynamoDb = createDynamoDbClient();
const tracker = withSigningKey(
  keys,
  (signingKey) =>
    makeTrackerHandler(
      trackerDeps(
        { dynamoDb },
        {
          swarmTable: env[ENV.SWARM_TABLE],
          signingKey,
          policy: { interval: env[ENV.ANNOUNCE_INTERVAL], minInterval: env[ENV.MIN_ANNOUNCE_INTERVAL] },
          trustIpHints: env[ENV.TRUST_ANNOUNCE_IP_HINTS],
          gate: gateSettingsFromEnv(env),
        },
        logger,
      ),
    ),
  (event, error) => {
    logger.error('signing key unavailable', { requestId: event.requestContext.requestId, error: error as Error });
    return trackerUnavailable();
  },
);

export const handler = instrumented(tracker, logger, metrics, recordTrackerMetrics);
