import { createAwsClients } from '../runtime/aws-clients';
import { cloudFrontWebSeedEnv, endpointEnvShape, readEnv } from '../config/config';
import { ENV } from '../config/env';
import { instrumented, lambdaObservability } from '../runtime/observability';
import { cloudFrontSigningKeyReader } from '../security/cloudfront-key';
import { loadSigningKey, SigningKeyCache, withSigningKey } from '../security/signing-key';
import { errorResponse } from '../http/http';
import { signingKeyUnavailable } from '../http/errors';
import { torrentServiceFromEnv } from '../torrents/from-env';
import { endpointDeps } from './deps';
import { makeEndpointHandler } from './endpoint';
import { recordEndpointMetrics } from './metrics';
import { gateSettingsFromEnv } from '../gate/deps';

const env = readEnv(endpointEnvShape);
const { logger, metrics } = lambdaObservability('s3-torrent-endpoint');
const { settings, options } = torrentServiceFromEnv(env);
const cloudFront = cloudFrontWebSeedEnv(env);

// The key is read on the first request and again every few minutes (rotation); a failed read
// answers that request 503 and is retried by the next.
const keys = new SigningKeyCache(() => loadSigningKey(env[ENV.SIGNING_SECRET_ARN]), {
  onRefreshFailed: (error) => logger.warn('signing key refresh failed; keeping the current key', { error: error as Error }),
});
const clients = createAwsClients();
// The CloudFront key (private web seeds) is read the same way, when a private object first needs it.
const cloudFrontKey =
  cloudFront &&
  cloudFrontSigningKeyReader(cloudFront.secretArn, cloudFront.keyPairId, {
    onRefreshFailed: (error) => logger.warn('CloudFront key refresh failed; keeping the current key', { error: error as Error }),
  });
const endpoint = withSigningKey(
  keys,
  (signingKey) =>
    makeEndpointHandler(
      endpointDeps(
        clients,
        {
          ...settings,
          presignedUrlTtlSeconds: env[ENV.PRESIGNED_URL_TTL],
          privateWebSeedTtlSeconds: env[ENV.PRIVATE_WEBSEED_TTL],
          signingKey,
          cloudFront: cloudFront && cloudFrontKey && { baseUrl: cloudFront.baseUrl, signingKey: cloudFrontKey },
          publicBaseUrl: env[ENV.PUBLIC_BASE_URL],
          announceUrl: env[ENV.ANNOUNCE_URL],
          gate: gateSettingsFromEnv(env),
          gateMinBytes: env[ENV.GATE_MIN_BYTES],
        },
        logger,
        options,
      ),
    ),
  (event, error) => errorResponse(signingKeyUnavailable(error), event.requestContext.requestId, logger),
);

export const handler = instrumented(endpoint, logger, metrics, recordEndpointMetrics);
