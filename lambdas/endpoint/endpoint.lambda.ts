import { Logger } from '@aws-lambda-powertools/logger';
import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsHashingWorkflow } from '../adapters/step-functions-workflow';
import { createAwsClients } from '../shared/aws-clients';
import { endpointEnvShape, readEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { endpointDeps } from './deps';
import { makeEndpointHandler } from './endpoint';

const env = readEnv(endpointEnvShape);
const logger = new Logger({ serviceName: 's3-torrent-endpoint' });
const stateMachineArn = env[ENV.STATE_MACHINE_ARN];

export const handler = makeEndpointHandler(
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
    { workflow: stateMachineArn ? new StepFunctionsHashingWorkflow(new SFNClient({}), stateMachineArn) : undefined },
  ),
);
