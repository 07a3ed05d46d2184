import { DynamoDbJobStore } from '../adapters/dynamodb-job-store';
import { DynamoDbObjectHashStore } from '../adapters/dynamodb-object-hash-store';
import { DynamoDbBuildLeases } from '../adapters/dynamodb-build-leases';
import { DynamoDbTorrentCache } from '../adapters/dynamodb-torrent-cache';
import { DynamoDbTorrentPublisher } from '../adapters/dynamodb-torrent-publisher';
import { S3ObjectStore } from '../adapters/s3-object-store';
import type { HashingWorkflow } from '../ports/hashing-workflow';
import type { AwsClients } from '../runtime/aws-clients';
import { LargeObjectJobs, type RetryPolicy } from './large-object-jobs';
import type { LeaseSettings } from './leased-builds';
import { TorrentService } from './torrent-service';

export interface TorrentServiceSettings {
  readonly torrentTable: string;
  readonly swarmTable: string;
  readonly metadataBucket: string;
  readonly inlineHashLimit: number;
}

/** How the service builds: the hashing workflow for objects above the inline limit (else they get 413), and lease timings. */
export interface ServiceOptions {
  readonly workflow?: HashingWorkflow;
  readonly retry?: Partial<RetryPolicy>;
  readonly clock?: () => Date;
  /** Build-lease timings (the defaults suit API Gateway's 30 s; local runs and tests shorten them). */
  readonly leaseSettings?: Partial<LeaseSettings>;
}

/**
 * The torrent service and the adapters under it, wired once for every caller that finds or builds
 * torrents: the endpoint and the S3 events handler.
 */
export function torrentServiceDeps(clients: AwsClients, settings: TorrentServiceSettings, options: ServiceOptions = {}) {
  const store = new S3ObjectStore(clients.s3, clients.s3InRegion);
  const cache = new DynamoDbTorrentCache(clients.dynamoDb, settings.torrentTable, clients.s3, settings.metadataBucket);
  const publisher = new DynamoDbTorrentPublisher(clients.dynamoDb, cache, settings.swarmTable);
  const leases = new DynamoDbBuildLeases(clients.dynamoDb, settings.torrentTable);
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
    publisher,
    leases,
    leaseSettings: options.leaseSettings,
    clock: options.clock,
    inlineHashLimit: settings.inlineHashLimit,
    largeObjects: jobs,
    objectHashes,
  });
  return { store, cache, jobs, service, objectHashes };
}
