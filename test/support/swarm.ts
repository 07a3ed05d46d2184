import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { registrationUpdate } from '../../lambdas/adapters/dynamodb-torrent-publisher';
import type { RegisteredTorrent } from '../../lambdas/ports/torrent-publisher';

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
  await registerTorrent(db, swarmTable, { infoHashes, bucket: 'tests', key: name, name, size, private: false });
}

/** The registration items publishing writes for `torrent`, without its cache entry. */
export async function registerTorrent(db: DynamoDBDocumentClient, swarmTable: string, torrent: RegisteredTorrent): Promise<void> {
  const at = Math.floor(Date.now() / 1000);
  await Promise.all(
    torrent.infoHashes.map((infoHash) => db.send(new UpdateCommand(registrationUpdate(swarmTable, infoHash, torrent, at)))),
  );
}
