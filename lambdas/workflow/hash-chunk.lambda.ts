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

/** "Hash chunk": hash one chunk with pinned ranged GETs and write its piece hashes to S3. */
export const handler = tasks.hashChunk;
