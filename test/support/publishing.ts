import { DynamoDbTorrentCache } from '../../lambdas/adapters/dynamodb-torrent-cache';
import { DynamoDbTorrentPublisher } from '../../lambdas/adapters/dynamodb-torrent-publisher';
import { SWARM_TABLE_SCHEMA, TORRENT_TABLE_SCHEMA } from '../../lambdas/config/tables';
import type { CachedTorrent, TorrentCacheKey } from '../../lambdas/ports/torrent-cache';
import type { AwsClients } from '../../lambdas/runtime/aws-clients';
import { publicationOf } from '../../lambdas/torrents/publication';
import { createBucket, createTestTable } from './service';

export interface PublishingResources {
  readonly torrentTable: string;
  readonly swarmTable: string;
  readonly metadataBucket: string;
}

/** The torrent cache and its publisher on the stand-ins, with the tables and bucket created. */
export async function publishingOn(clients: AwsClients, names: PublishingResources) {
  await Promise.all([
    createTestTable(names.torrentTable, TORRENT_TABLE_SCHEMA),
    createTestTable(names.swarmTable, SWARM_TABLE_SCHEMA),
    createBucket(clients, names.metadataBucket),
  ]);
  const cache = new DynamoDbTorrentCache(clients.dynamoDb, names.torrentTable, clients.s3, names.metadataBucket);
  const publisher = new DynamoDbTorrentPublisher(clients.dynamoDb, cache, names.swarmTable);
  /** Publishes a torrent under `key` as the service does (the name is the key's last segment). */
  const publish = (key: TorrentCacheKey, torrent: CachedTorrent) =>
    publisher.publish(publicationOf(key, torrent, key.key.split('/').pop() || 'x.bin'));
  return { cache, publisher, publish };
}
