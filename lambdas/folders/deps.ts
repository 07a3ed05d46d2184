import { DynamoDbKnownFolders } from '../adapters/dynamodb-known-folders';
import { DynamoDbObjectHashStore } from '../adapters/dynamodb-object-hash-store';
import { DynamoDbTorrentCache } from '../adapters/dynamodb-torrent-cache';
import { DynamoDbTorrentRegistry } from '../adapters/dynamodb-torrent-registry';
import { S3FolderJobPlans } from '../adapters/s3-folder-job-plans';
import { S3ObjectListing } from '../adapters/s3-object-listing';
import { S3ObjectStore } from '../adapters/s3-object-store';
import type { AwsClients } from '../runtime/aws-clients';
import type { LargeObjectJobs } from '../torrents/large-object-jobs';
import { FolderTorrentService } from './folder-service';

export interface FolderServiceSettings {
  readonly torrentTable: string;
  readonly swarmTable: string;
  readonly metadataBucket: string;
  readonly inlineHashLimit: number;
}

/**
 * The folder torrent service and its adapters, on the same table, bucket and tracker as object
 * torrents; with the large objects' job machinery, folders with more to hash than a request may
 * go to the hashing workflow.
 */
export function folderServiceDeps(clients: AwsClients, settings: FolderServiceSettings, jobs?: LargeObjectJobs) {
  const hashes = new DynamoDbObjectHashStore(clients.dynamoDb, settings.torrentTable, clients.s3, settings.metadataBucket);
  const known = new DynamoDbKnownFolders(clients.dynamoDb, settings.torrentTable);
  const plans = new S3FolderJobPlans(clients.s3, settings.metadataBucket);
  const folders = new FolderTorrentService(
    {
      listing: new S3ObjectListing(clients.s3, clients.s3InRegion),
      store: new S3ObjectStore(clients.s3, clients.s3InRegion),
      hashes,
      known,
      cache: new DynamoDbTorrentCache(clients.dynamoDb, settings.torrentTable, clients.s3, settings.metadataBucket),
      registry: new DynamoDbTorrentRegistry(clients.dynamoDb, settings.swarmTable),
      inlineHashLimit: settings.inlineHashLimit,
    },
    jobs && { jobs, plans },
  );
  return { folders, hashes, known, plans };
}
