import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RegisteredTorrent, TorrentRegistry } from '../ports/torrent-registry';
import { SWARM_TABLE_SCHEMA } from '../config/tables';

/** Sort key of the registration item the tracker looks for before it serves an infohash. */
export const TORRENT_ENTRY = 'torrent';

export class DynamoDbTorrentRegistry implements TorrentRegistry {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async register(torrent: RegisteredTorrent): Promise<void> {
    const registeredAt = Math.floor(this.clock().getTime() / 1000);
    // UpdateItem rather than PutItem: the tracker keeps counters on the same item, and
    // registering a torrent again (a rebuild, a second object with the same bytes) must keep them.
    await Promise.all(
      torrent.infoHashes.map((infoHash) =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { [SWARM_TABLE_SCHEMA.partitionKey]: infoHash, [SWARM_TABLE_SCHEMA.sortKey]: TORRENT_ENTRY },
            UpdateExpression:
              'SET #bucket = :bucket, #key = :key, #name = :name, #size = :size, #private = :private, tokenHash = :tokenHash, registeredAt = :at',
            ExpressionAttributeNames: { '#bucket': 'bucket', '#key': 'key', '#name': 'name', '#size': 'size', '#private': 'private' },
            ExpressionAttributeValues: {
              ':bucket': torrent.bucket,
              ':key': torrent.key,
              ':name': torrent.name,
              ':size': torrent.size,
              ':private': torrent.private,
              // A hybrid torrent is announced under two hashes but has one announce token, made from
              // the first: each registration names it, so the tracker accepts the token for both.
              ':tokenHash': torrent.infoHashes[0],
              ':at': registeredAt,
            },
          }),
        ),
      ),
    );
  }
}
