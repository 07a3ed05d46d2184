import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsHashingWorkflow } from '../adapters/step-functions-workflow';
import { createAwsClients } from '../shared/aws-clients';
import { eventsEnvShape, readEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { instrumentedTask, lambdaObservability } from '../shared/observability';
import { recordEventMetrics } from './metrics';
import { eventsDeps } from './deps';
import { makeEventsHandler } from './events';

const env = readEnv(eventsEnvShape);
const { logger, metrics } = lambdaObservability('s3-torrent-events');
const stateMachineArn = env[ENV.STATE_MACHINE_ARN];

/** S3 object events (EventBridge or S3 notifications): pre-build torrents on upload, evict on delete. */
export const handler = instrumentedTask(
  makeEventsHandler(
    eventsDeps(
      createAwsClients(),
      {
        torrentTable: env[ENV.TORRENT_TABLE],
        swarmTable: env[ENV.SWARM_TABLE],
        metadataBucket: env[ENV.METADATA_BUCKET],
        sources: env[ENV.SOURCES],
        inlineHashLimit: env[ENV.INLINE_HASH_LIMIT],
      },
      logger,
      { workflow: stateMachineArn ? new StepFunctionsHashingWorkflow(new SFNClient({}), stateMachineArn) : undefined },
    ),
  ),
  logger,
  metrics,
  recordEventMetrics,
);
