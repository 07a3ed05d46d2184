import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients } from '../shared/aws-clients';
import { readEnv, workflowResultsEnvShape } from '../shared/config';
import { ENV } from '../shared/env';
import { workflowTaskDeps } from './deps';
import { makeWorkflowTasks } from './tasks';

const env = readEnv(workflowResultsEnvShape);
const tasks = makeWorkflowTasks(
  workflowTaskDeps(
    createAwsClients(),
    { torrentTable: env[ENV.TORRENT_TABLE], metadataBucket: env[ENV.METADATA_BUCKET] },
    { maxConcurrency: 1 },
    new Logger({ serviceName: 's3-torrent-workflow' }),
  ),
);

/** "Record failure": mark the job failed with its cause and delete its chunk results. */
export const handler = tasks.recordFailure;
