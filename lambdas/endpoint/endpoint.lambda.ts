import { createAwsClients } from '../runtime/aws-clients';
import { cloudFrontWebSeedEnv, endpointEnvShape, readEnv } from '../config/config';
import { ENV } from '../config/env';
import { instrumented, lambdaObservability } from '../runtime/observability';
import { cloudFrontSigningKeyReader } from '../security/cloudfront-key';
import { loadSigningKey } from '../security/signing-key';
import { torrentServiceFromEnv } from '../torrents/from-env';
import { endpointDeps } from './deps';
import { makeEndpointHandler } from './endpoint';
import { recordEndpointMetrics } from './metrics';
import { gateSettingsFromEnv } from '../gate/deps';

const env = readEnv(endpointEnvShape);
const { logger, metrics } = lambdaObservability('s3-torrent-endpoint');
const { settings, options } = torrentServiceFromEnv(env);
const cloudFront = cloudFrontWebSeedEnv(env);

// Built once per container; the first request waits for the signing key.
const ready = loadSigningKey(env[ENV.SIGNING_SECRET_ARN]).then((signingKey) =>
  makeEndpointHandler(
    endpointDeps(
      createAwsClients(),
      {
        ...settings,
        presignedUrlTtlSeconds: env[ENV.PRESIGNED_URL_TTL],
        privateWebSeedTtlSeconds: env[ENV.PRIVATE_WEBSEED_TTL],
        signingKey,
        cloudFront: cloudFront && {
          baseUrl: cloudFront.baseUrl,
          signingKey: cloudFrontSigningKeyReader(cloudFront.secretArn, cloudFront.keyPairId),
        },
        publicBaseUrl: env[ENV.PUBLIC_BASE_URL],
        announceUrl: env[ENV.ANNOUNCE_URL],
        gate: gateSettingsFromEnv(env),
        gateMinBytes: env[ENV.GATE_MIN_BYTES],
      },
      logger,
      options,
    ),
  ),
);

export const handler = instrumented(async (event, context) => (await ready)(event, context), logger, metrics, recordEndpointMetrics);
