import { createAwsClients } from '../runtime/aws-clients';
import { readEnv, workflowResultsEnvShape } from '../config/config';
import { ENV } from '../config/env';
import { instrumentedTask, lambdaObservability } from '../runtime/observability';
import { workflowMetrics } from './metrics';
import { workflowTaskDeps } from './deps';
import { makeWorkflowTasks } from './tasks';

const { logger, metrics } = lambdaObservability('s3-torrent-workflow');
const env = readEnv(workflowResultsEnvShape);
const tasks = makeWorkflowTasks(
  workflowTaskDeps(
    createAwsClients(),
    { torrentTable: env[ENV.TORRENT_TABLE], metadataBucket: env[ENV.METADATA_BUCKET] },
    { maxConcurrency: 1 },
    logger,
  ),
);

/** "Hash chunk": hash one chunk with pinned ranged GETs and write its piece hashes to S3. */
export const handler = instrumentedTask(tasks.hashChunk, logger, metrics, workflowMetrics.hashChunk);
