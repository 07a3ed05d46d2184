import { createAwsClients } from '../runtime/aws-clients';
import { assembleTorrentEnvShape, readEnv } from '../config/config';
import { ENV } from '../config/env';
import { instrumentedTask, lambdaObservability } from '../runtime/observability';
import { workflowMetrics } from './metrics';
import { workflowTaskDeps } from './deps';
import { makeWorkflowTasks } from './tasks';

const { logger, metrics } = lambdaObservability('s3-torrent-workflow');
const env = readEnv(assembleTorrentEnvShape);
const tasks = makeWorkflowTasks(
  workflowTaskDeps(
    createAwsClients(),
    { torrentTable: env[ENV.TORRENT_TABLE], metadataBucket: env[ENV.METADATA_BUCKET], swarmTable: env[ENV.SWARM_TABLE] },
    { maxConcurrency: 1 },
    logger,
  ),
);

/** "Assemble torrent": concatenate the chunk hashes, publish the torrent (cache entry and tracker registration in one transaction). */
export const handler = instrumentedTask(tasks.assembleTorrent, logger, metrics, workflowMetrics.assembleTorrent);
