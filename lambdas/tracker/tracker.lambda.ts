import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoDbClient } from '../shared/aws-clients';
import { readEnv, trackerEnvShape } from '../shared/config';
import { ENV } from '../shared/env';
import { trackerDeps } from './deps';
import { makeTrackerHandler } from './tracker';

const env = readEnv(trackerEnvShape);
const logger = new Logger({ serviceName: 's3-torrent-tracker' });

export const handler = makeTrackerHandler(
  trackerDeps(
    { dynamoDb: createDynamoDbClient() },
    {
      swarmTable: env[ENV.SWARM_TABLE],
      policy: { interval: env[ENV.ANNOUNCE_INTERVAL], minInterval: env[ENV.MIN_ANNOUNCE_INTERVAL] },
      trustIpHints: env[ENV.TRUST_ANNOUNCE_IP_HINTS],
    },
    logger,
  ),
);
