import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbJobStore } from '../adapters/dynamodb-job-store';
import { DynamoDbTorrentCache } from '../adapters/dynamodb-torrent-cache';
import { DynamoDbTorrentPublisher } from '../adapters/dynamodb-torrent-publisher';
import { S3ChunkResults } from '../adapters/s3-chunk-results';
import { S3ObjectStore } from '../adapters/s3-object-store';
import type { AwsClients } from '../runtime/aws-clients';
import type { WorkflowSettings, WorkflowTaskDeps } from './tasks';
import { DynamoDbObjectHashStore } from '../adapters/dynamodb-object-hash-store';
import { S3FolderJobPlans } from '../adapters/s3-folder-job-plans';
import { folderServiceDeps } from '../folders/deps';
import type { FolderWorkflowDeps } from '../folders/folder-workflow';

/** The resources a workflow function was given; each function gets only those its task uses. */
export interface WorkflowResources {
  readonly torrentTable: string;
  readonly metadataBucket?: string;
  readonly swarmTable?: string;
}

/** Wires the workflow tasks' adapters; used by the four Lambda entries and the local runner alike. */
export function workflowTaskDeps(
  clients: AwsClients,
  resources: WorkflowResources,
  settings: WorkflowSettings,
  logger?: Logger,
): WorkflowTaskDeps {
  const { metadataBucket, swarmTable } = resources;
  return {
    store: new S3ObjectStore(clients.s3, clients.s3InRegion),
    jobs: new DynamoDbJobStore(clients.dynamoDb, resources.torrentTable),
    chunkResults: metadataBucket ? new S3ChunkResults(clients.s3, metadataBucket) : notConfigured('the metadata bucket'),
    publisher:
      metadataBucket && swarmTable
        ? new DynamoDbTorrentPublisher(
            clients.dynamoDb,
            new DynamoDbTorrentCache(clients.dynamoDb, resources.torrentTable, clients.s3, metadataBucket),
            swarmTable,
          )
        : notConfigured('publishing (the metadata bucket and the swarm table)'),
    folders: metadataBucket ? folderWorkflowDeps(clients, resources.torrentTable, metadataBucket, swarmTable) : undefined,
    settings,
    logger,
  };
}

/** Folder jobs: plans and object hashes for every step; Assemble (the one with the swarm table) also builds the torrent. */
function folderWorkflowDeps(clients: AwsClients, torrentTable: string, metadataBucket: string, swarmTable?: string): FolderWorkflowDeps {
  const service =
    swarmTable === undefined ? undefined : folderServiceDeps(clients, { torrentTable, swarmTable, metadataBucket, inlineHashLimit: 0 });
  return {
    plans: service?.plans ?? new S3FolderJobPlans(clients.s3, metadataBucket),
    hashes: service?.hashes ?? new DynamoDbObjectHashStore(clients.dynamoDb, torrentTable, clients.s3, metadataBucket),
    folders: service?.folders,
  };
}

/** Stands in for an adapter this function has no configuration (or permission) for; any use is a bug. */
function notConfigured<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => () => {
      throw new Error(`${what} is not configured for this function (used by ${String(property)})`);
    },
  });
}
