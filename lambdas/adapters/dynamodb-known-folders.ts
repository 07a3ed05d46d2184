import { BatchGetCommand, DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KNOWN_FOLDER_SORT_KEY, knownFolderPartitionKey, TORRENT_TABLE_SCHEMA } from '../config/tables';
import { prefixesAbove, type KnownFolder, type KnownFolders } from '../ports/known-folders';

/** A folder stays known this long after its last build. */
export const KNOWN_FOLDER_DAYS = 90;

const { partitionKey: PK, sortKey: SK, timeToLiveAttribute: TTL } = TORRENT_TABLE_SCHEMA;

interface FolderItem {
  bucket: string;
  prefix: string;
  variants: Set<string>;
  expiresAt: number;
}

/** Known folders in the torrent table, one item each, with a TTL renewed by every build. */
export class DynamoDbKnownFolders implements KnownFolders {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async remember(bucket: string, prefix: string, variant: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [PK]: knownFolderPartitionKey(bucket, prefix), [SK]: KNOWN_FOLDER_SORT_KEY },
        UpdateExpression: 'SET #bucket = :bucket, #prefix = :prefix, #ttl = :ttl ADD variants :variant',
        ExpressionAttributeNames: { '#bucket': 'bucket', '#prefix': 'prefix', '#ttl': TTL },
        ExpressionAttributeValues: {
          ':bucket': bucket,
          ':prefix': prefix,
          ':ttl': this.nowSeconds() + KNOWN_FOLDER_DAYS * 86_400,
          ':variant': new Set([variant]),
        },
      }),
    );
  }

  async above(bucket: string, key: string): Promise<KnownFolder[]> {
    const prefixes = prefixesAbove(key);
    const found = new Map<string, FolderItem>();
    for (let i = 0; i < prefixes.length; i += 100) {
      let requested: Record<string, string>[] = prefixes
        .slice(i, i + 100)
        .map((p) => ({ [PK]: knownFolderPartitionKey(bucket, p), [SK]: KNOWN_FOLDER_SORT_KEY }));
      for (let attempt = 0; requested.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: requested } } }));
        for (const item of (out.Responses?.[this.tableName] ?? []) as FolderItem[]) found.set(item.prefix, item);
        requested = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, string>[];
      }
    }
    // TTL deletion is lazy: an expired item may still be read, and counts as gone.
    const now = this.nowSeconds();
    return prefixes.flatMap((prefix) => {
      const item = found.get(prefix);
      return item && item.expiresAt > now ? [{ bucket, prefix, variants: [...item.variants].sort() }] : [];
    });
  }

  async forget(bucket: string, prefix: string): Promise<void> {
    await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: { [PK]: knownFolderPartitionKey(bucket, prefix), [SK]: KNOWN_FOLDER_SORT_KEY } }),
    );
  }

  private nowSeconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }
}
