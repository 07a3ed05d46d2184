import { createAwsClients } from '../runtime/aws-clients';
import { planChunksEnvShape, readEnv } from '../config/config';
import { ENV } from '../config/env';
import { instrumentedTask, lambdaObservability } from '../runtime/observability';
import { workflowMetrics } from './metrics';
import { workflowTaskDeps } from './deps';
import { makeWorkflowTasks } from './tasks';

const { logger, metrics } = lambdaObservability('s3-torrent-workflow');
const env = readEnv(planChunksEnvShape);
const tasks = makeWorkflowTasks(
  workflowTaskDeps(
    createAwsClients(),
    { torrentTable: env[ENV.TORRENT_TABLE], metadataBucket: env[ENV.METADATA_BUCKET] },
    { maxConcurrency: env[ENV.HASH_MAX_CONCURRENCY], minChunkBytes: env[ENV.HASH_MIN_CHUNK_BYTES] },
    logger,
  ),
);

/** "Plan chunks": HEAD the object, check its identity, split it into chunks (a folder job: freeze its plan, split it into work items). */
export const handler = instrumentedTask(tasks.planChunks, logger, metrics, workflowMetrics.planChunks);
