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

/** "Record failure": mark the job failed with its cause and delete its chunk results. */
export const handler = instrumentedTask(tasks.recordFailure, logger, metrics, workflowMetrics.recordFailure);
