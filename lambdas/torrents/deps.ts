import { DynamoDbJobStore } from '../adapters/dynamodb-job-store';
import { DynamoDbObjectHashStore } from '../adapters/dynamodb-object-hash-store';
import { DynamoDbTorrentCache } from '../adapters/dynamodb-torrent-cache';
import { DynamoDbTorrentRegistry } from '../adapters/dynamodb-torrent-registry';
import { S3ObjectStore } from '../adapters/s3-object-store';
import type { HashingWorkflow } from '../ports/hashing-workflow';
import type { AwsClients } from '../runtime/aws-clients';
import { LargeObjectJobs, type RetryPolicy } from './large-object-jobs';
import { TorrentService } from './torrent-service';

export interface TorrentServiceSettings {
  readonly torrentTable: string;
  readonly swarmTable: string;
  readonly metadataBucket: string;
  readonly inlineHashLimit: number;
}

/** The hashing workflow, when objects above the inline limit should get torrents (else they get 413). */
export interface WorkflowOptions {
  readonly workflow?: HashingWorkflow;
  readonly retry?: Partial<RetryPolicy>;
  readonly clock?: () => Date;
}

/**
 * The torrent service and the adapters under it, wired once for every caller that finds or builds
 * torrents: the endpoint and the S3 events handler.
 */
export function torrentServiceDeps(clients: AwsClients, settings: TorrentServiceSettings, options: WorkflowOptions = {}) {
  const store = new S3ObjectStore(clients.s3, clients.s3InRegion);
  const cache = new DynamoDbTorrentCache(clients.dynamoDb, settings.torrentTable, clients.s3, settings.metadataBucket);
  const registry = new DynamoDbTorrentRegistry(clients.dynamoDb, settings.swarmTable);
  const jobs =
    options.workflow &&
    new LargeObjectJobs({
      jobs: new DynamoDbJobStore(clients.dynamoDb, settings.torrentTable, options.clock),
      workflow: options.workflow,
      cache,
      retry: options.retry,
      clock: options.clock,
    });
  const objectHashes = new DynamoDbObjectHashStore(clients.dynamoDb, settings.torrentTable, clients.s3, settings.metadataBucket);
  const service = new TorrentService({
    store,
    cache,
    registry,
    inlineHashLimit: settings.inlineHashLimit,
    largeObjects: jobs,
    objectHashes,
  });
  return { store, cache, jobs, service, objectHashes };
}
