import { createDynamoDbClient } from '../runtime/aws-clients';
import { readEnv, trackerEnvShape } from '../config/config';
import { ENV } from '../config/env';
import { instrumented, lambdaObservability } from '../runtime/observability';
import { loadSigningKey } from '../security/signing-key';
import { trackerDeps } from './deps';
import { recordTrackerMetrics } from './metrics';
import { makeTrackerHandler } from './tracker';
import { gateSettingsFromEnv } from '../gate/deps';

const env = readEnv(trackerEnvShape);
const { logger, metrics } = lambdaObservability('s3-torrent-tracker');

// Built once per container; the first request waits for the signing key (private torrents' tokens).
const ready = loadSigningKey(env[ENV.SIGNING_SECRET_ARN]).then((signingKey) =>
  makeTrackerHandler(
    trackerDeps(
      { dynamoDb: createDynamoDbClient() },
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
);

export const handler = instrumented(async (event, context) => (await ready)(event, context), logger, metrics, recordTrackerMetrics);
