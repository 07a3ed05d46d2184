import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SWARM_TABLE_SCHEMA, TORRENT_ENTRY } from '../config/tables';
import type { RegisteredTorrent, TorrentPublication, TorrentPublisher } from '../ports/torrent-publisher';
import type { DynamoDbTorrentCache } from './dynamodb-torrent-cache';

/** Publish attempts when the transaction meets a concurrent write to one of its items. */
const CONFLICT_ATTEMPTS = 5;

/**
 * Publishes a torrent with one DynamoDB transaction over its cache item (torrent table) and its
 * registration items (swarm table); both tables are in the stack's account and region, as
 * TransactWriteItems requires. Order of effects:
 *
 * 1. an info dict too large for an item goes to the metadata bucket (unreferenced until step 2);
 * 2. TransactWriteItems: Put the cache item, Update each registration (SET, so the tracker's
 *    counters on an existing registration survive a re-publish);
 * 3. drop the object's cache entries of other identities (best effort: they are never served).
 *
 * A crash before 2 leaves nothing visible; after 2, everything. Publishing is idempotent.
 */
export class DynamoDbTorrentPublisher implements TorrentPublisher {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly cache: DynamoDbTorrentCache,
    private readonly swarmTable: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async publish({ key, torrent, registration }: TorrentPublication): Promise<void> {
    const item = await this.cache.stageItem(key, torrent);
    const registeredAt = Math.floor(this.clock().getTime() / 1000);
    const transaction = new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: this.cache.tableName, Item: item } },
        ...registration.infoHashes.map((infoHash) => ({
          Update: registrationUpdate(this.swarmTable, infoHash, registration, registeredAt),
        })),
      ],
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(transaction);
        break;
      } catch (err) {
        // The tracker's own transactions (a completed download) touch registration items; DynamoDB
        // cancels one side of such a conflict, and the SDK does not retry it.
        if (!isConflict(err) || attempt >= CONFLICT_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt * Math.random()));
      }
    }
    await this.cache.dropOtherIdentities(key);
  }
}

/** The write that registers one infohash of a torrent with the tracker (see SWARM_TABLE_SCHEMA). */
export function registrationUpdate(tableName: string, infoHash: string, torrent: RegisteredTorrent, registeredAt: number) {
  return {
    TableName: tableName,
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
      // A hybrid torrent is announced under two hashes but has one announce token, made from the
      // first: each registration names it, so the tracker accepts the token for both.
      ':tokenHash': torrent.infoHashes[0],
      ':at': registeredAt,
    },
  };
}

function isConflict(err: unknown): boolean {
  if ((err as { name?: string }).name === 'TransactionConflictException') return true;
  return err instanceof TransactionCanceledException && (err.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');
}
