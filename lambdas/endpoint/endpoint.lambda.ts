import { createAwsClients } from '../shared/aws-clients';
import { endpointEnvShape, readEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { instrumented, lambdaObservability } from '../shared/observability';
import { endpointDeps } from './deps';
import { makeEndpointHandler } from './endpoint';
import { recordEndpointMetrics } from './metrics';

const env = readEnv(endpointEnvShape);
const { logger, metrics } = lambdaObservability('s3-torrent-endpoint');

export const handler = instrumented(
  makeEndpointHandler(
    endpointDeps(
      createAwsClients(),
      {
        torrentTable: env[ENV.TORRENT_TABLE],
        swarmTable: env[ENV.SWARM_TABLE],
        metadataBucket: env[ENV.METADATA_BUCKET],
        sources: env[ENV.SOURCES],
        inlineHashLimit: env[ENV.INLINE_HASH_LIMIT],
        presignedUrlTtlSeconds: env[ENV.PRESIGNED_URL_TTL],
        publicBaseUrl: env[ENV.PUBLIC_BASE_URL],
        announceUrl: env[ENV.ANNOUNCE_URL],
      },
      logger,
    ),
  ),
  logger,
  metrics,
  recordEndpointMetrics,
);
