import { createAwsClients } from '../shared/aws-clients';
import { planChunksEnvShape, readEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { instrumentedTask, lambdaObservability } from '../shared/observability';
import { workflowMetrics } from './metrics';
import { workflowTaskDeps } from './deps';
import { makeWorkflowTasks } from './tasks';

const { logger, metrics } = lambdaObservability('s3-torrent-workflow');
const env = readEnv(planChunksEnvShape);
const tasks = makeWorkflowTasks(
  workflowTaskDeps(
    createAwsClients(),
    { torrentTable: env[ENV.TORRENT_TABLE] },
    { maxConcurrency: env[ENV.HASH_MAX_CONCURRENCY], minChunkBytes: env[ENV.HASH_MIN_CHUNK_BYTES] },
    logger,
  ),
);

/** "Plan chunks": HEAD the object, check its identity, split it into chunks. */
export const handler = instrumentedTask(tasks.planChunks, logger, metrics, workflowMetrics.planChunks);
