import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { leasePartitionKey, TORRENT_TABLE_SCHEMA } from '../config/tables';
import type { BuildLease, BuildLeases } from '../ports/build-leases';
import type { TorrentCacheKey } from '../ports/torrent-cache';

const { partitionKey: PK, sortKey: SK, timeToLiveAttribute: TTL } = TORRENT_TABLE_SCHEMA;

/** Leases outlive their expiry by this long before TTL may delete them (a read never depends on it). */
const TTL_AFTER_EXPIRY_SECONDS = 3600;

/**
 * Build leases as items of the torrent table (see leasePartitionKey): conditional writes decide
 * who holds a lease; `leaseUntil` is compared with the caller's clock, so holders' clocks need to
 * agree to well within a lease's length (Lambda hosts keep time with NTP).
 */
export class DynamoDbBuildLeases implements BuildLeases {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async acquire(key: TorrentCacheKey, lease: BuildLease, now: Date): Promise<boolean> {
    return this.conditionally(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keyOf(key), ...attributesOf(lease) },
          ConditionExpression: 'attribute_not_exists(#pk) OR #until <= :now',
          ExpressionAttributeNames: { '#pk': PK, '#until': 'leaseUntil' },
          ExpressionAttributeValues: { ':now': now.getTime() },
        }),
      ),
    );
  }

  async renew(key: TorrentCacheKey, lease: BuildLease): Promise<boolean> {
    const { leaseUntil, [TTL]: expiresAt } = attributesOf(lease);
    return this.conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(key),
          UpdateExpression: 'SET #until = :until, #ttl = :ttl',
          ConditionExpression: '#holder = :holder',
          ExpressionAttributeNames: { '#until': 'leaseUntil', '#ttl': TTL, '#holder': 'holder' },
          ExpressionAttributeValues: { ':until': leaseUntil, ':ttl': expiresAt, ':holder': lease.holder },
        }),
      ),
    );
  }

  async release(key: TorrentCacheKey, holder: string): Promise<void> {
    await this.conditionally(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keyOf(key),
          ConditionExpression: '#holder = :holder',
          ExpressionAttributeNames: { '#holder': 'holder' },
          ExpressionAttributeValues: { ':holder': holder },
        }),
      ),
    );
  }

  async current(key: TorrentCacheKey): Promise<BuildLease | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keyOf(key), ConsistentRead: true }));
    const item = out.Item as { holder: string; leaseUntil: number } | undefined;
    return item && { holder: item.holder, expiresAt: new Date(item.leaseUntil) };
  }

  /** A conditional write: false when its condition did not hold. */
  private async conditionally(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}

const keyOf = (key: TorrentCacheKey) => ({ [PK]: leasePartitionKey(key.bucket, key.key), [SK]: `${key.identity}#${key.variant}` });

function attributesOf(lease: BuildLease) {
  const leaseUntil = lease.expiresAt.getTime();
  return { holder: lease.holder, leaseUntil, [TTL]: Math.ceil(leaseUntil / 1000) + TTL_AFTER_EXPIRY_SECONDS };
}
