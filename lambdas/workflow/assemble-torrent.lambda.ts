import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients } from '../shared/aws-clients';
import { assembleTorrentEnvShape, readEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { workflowTaskDeps } from './deps';
import { makeWorkflowTasks } from './tasks';

const env = readEnv(assembleTorrentEnvShape);
const tasks = makeWorkflowTasks(
  workflowTaskDeps(
    createAwsClients(),
    { torrentTable: env[ENV.TORRENT_TABLE], metadataBucket: env[ENV.METADATA_BUCKET], swarmTable: env[ENV.SWARM_TABLE] },
    { maxConcurrency: 1 },
    new Logger({ serviceName: 's3-torrent-workflow' }),
  ),
);

/** "Assemble torrent": concatenate the chunk hashes, cache the info dict, register the infohash. */
export const handler = tasks.assembleTorrent;
