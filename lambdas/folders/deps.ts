import { DynamoDbKnownFolders } from '../adapters/dynamodb-known-folders';
import { DynamoDbObjectHashStore } from '../adapters/dynamodb-object-hash-store';
import { DynamoDbTorrentCache } from '../adapters/dynamodb-torrent-cache';
import { DynamoDbTorrentPublisher } from '../adapters/dynamodb-torrent-publisher';
import { DynamoDbBuildLeases } from '../adapters/dynamodb-build-leases';
import { S3FolderJobPlans } from '../adapters/s3-folder-job-plans';
import { S3ObjectListing } from '../adapters/s3-object-listing';
import { S3ObjectStore } from '../adapters/s3-object-store';
import type { AwsClients } from '../runtime/aws-clients';
import type { LargeObjectJobs } from '../torrents/large-object-jobs';
import type { LeaseSettings } from '../torrents/leased-builds';
import { FolderTorrentService } from './folder-service';

export interface FolderServiceSettings {
  readonly torrentTable: string;
  readonly swarmTable: string;
  readonly metadataBucket: string;
  readonly inlineHashLimit: number;
}

/** What folder builds share with object builds: the hashing workflow's jobs, lease timings and clock. */
export interface FolderServiceOptions {
  readonly jobs?: LargeObjectJobs;
  readonly leaseSettings?: Partial<LeaseSettings>;
  readonly clock?: () => Date;
}

/**
 * The folder torrent service and its adapters, on the same table, bucket and tracker as object
 * torrents, published the same way (TorrentPublisher) under the same build leases; with the large
 * objects' job machinery, folders with more to hash than a request may go to the hashing workflow.
 */
export function folderServiceDeps(clients: AwsClients, settings: FolderServiceSettings, options: FolderServiceOptions = {}) {
  const hashes = new DynamoDbObjectHashStore(clients.dynamoDb, settings.torrentTable, clients.s3, settings.metadataBucket);
  const known = new DynamoDbKnownFolders(clients.dynamoDb, settings.torrentTable);
  const plans = new S3FolderJobPlans(clients.s3, settings.metadataBucket);
  const cache = new DynamoDbTorrentCache(clients.dynamoDb, settings.torrentTable, clients.s3, settings.metadataBucket);
  const folders = new FolderTorrentService(
    {
      listing: new S3ObjectListing(clients.s3, clients.s3InRegion),
      store: new S3ObjectStore(clients.s3, clients.s3InRegion),
      hashes,
      known,
      cache,
      publisher: new DynamoDbTorrentPublisher(clients.dynamoDb, cache, settings.swarmTable),
      leases: new DynamoDbBuildLeases(clients.dynamoDb, settings.torrentTable),
      leaseSettings: options.leaseSettings,
      clock: options.clock,
      inlineHashLimit: settings.inlineHashLimit,
    },
    options.jobs && { jobs: options.jobs, plans },
  );
  return { folders, hashes, known, plans };
}
