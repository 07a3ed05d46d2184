import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { registrationUpdate } from '../../lambdas/adapters/dynamodb-torrent-publisher';

/**
 * Registers infohashes the way publishing a torrent registers them, so the tracker will serve
 * them; for tests and benchmarks whose torrents do not come from the endpoint.
 */
export async function registerTorrents(
  db: DynamoDBDocumentClient,
  swarmTable: string,
  infoHashes: readonly string[],
  name = 'test.bin',
  size = 1,
): Promise<void> {
  const torrent = { infoHashes, bucket: 'tests', key: name, name, size, private: false };
  const at = Math.floor(Date.now() / 1000);
  await Promise.all(infoHashes.map((infoHash) => db.send(new UpdateCommand(registrationUpdate(swarmTable, infoHash, torrent, at)))));
}
