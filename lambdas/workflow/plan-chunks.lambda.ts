import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients } from '../shared/aws-clients';
import { planChunksEnvShape, readEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { workflowTaskDeps } from './deps';
import { makeWorkflowTasks } from './tasks';

const env = readEnv(planChunksEnvShape);
const tasks = makeWorkflowTasks(
  workflowTaskDeps(
    createAwsClients(),
    { torrentTable: env[ENV.TORRENT_TABLE] },
    { maxConcurrency: env[ENV.HASH_MAX_CONCURRENCY], minChunkBytes: env[ENV.HASH_MIN_CHUNK_BYTES] },
    new Logger({ serviceName: 's3-torrent-workflow' }),
  ),
);

/** "Plan chunks": HEAD the object, check its identity, split it into chunks. */
export const handler = tasks.planChunks;
