import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbTorrentRegistry } from '../../lambdas/adapters/dynamodb-torrent-registry';

/**
 * Registers infohashes the way the endpoint registers the torrents it builds, so the tracker will
 * serve them; for tests and benchmarks whose torrents do not come from the endpoint.
 */
export async function registerTorrents(
  db: DynamoDBDocumentClient,
  swarmTable: string,
  infoHashes: readonly string[],
  name = 'test.bin',
  size = 1,
): Promise<void> {
  await new DynamoDbTorrentRegistry(db, swarmTable).register({ infoHashes, bucket: 'tests', key: name, name, size, private: false });
}
