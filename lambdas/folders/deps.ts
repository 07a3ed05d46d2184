import { DynamoDbKnownFolders } from '../adapters/dynamodb-known-folders';
import { DynamoDbObjectHashStore } from '../adapters/dynamodb-object-hash-store';
import { DynamoDbTorrentCache } from '../adapters/dynamodb-torrent-cache';
import { DynamoDbTorrentRegistry } from '../adapters/dynamodb-torrent-registry';
import { S3ObjectListing } from '../adapters/s3-object-listing';
import { S3ObjectStore } from '../adapters/s3-object-store';
import type { AwsClients } from '../runtime/aws-clients';
import type { TorrentServiceSettings } from '../torrents/deps';
import { FolderTorrentService } from './folder-service';

/** The folder torrent service and its adapters, on the same table, bucket and tracker as object torrents. */
export function folderServiceDeps(clients: AwsClients, settings: TorrentServiceSettings) {
  const hashes = new DynamoDbObjectHashStore(clients.dynamoDb, settings.torrentTable, clients.s3, settings.metadataBucket);
  const known = new DynamoDbKnownFolders(clients.dynamoDb, settings.torrentTable);
  const folders = new FolderTorrentService({
    known,
    listing: new S3ObjectListing(clients.s3),
    store: new S3ObjectStore(clients.s3),
    hashes,
    cache: new DynamoDbTorrentCache(clients.dynamoDb, settings.torrentTable, clients.s3, settings.metadataBucket),
    registry: new DynamoDbTorrentRegistry(clients.dynamoDb, settings.swarmTable),
    inlineHashLimit: settings.inlineHashLimit,
  });
  return { folders, hashes, known };
}
