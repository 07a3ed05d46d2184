import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll, queryAll } from './dynamodb-batches';
import { mapLimit } from '../core/map-limit';
import { checkObjectHashes, type HashKind, type ObjectHashes } from '../core/object-hashes';
import { objectHashesPartitionKey, TORRENT_TABLE_SCHEMA } from '../config/tables';
import { checkObjectHashRecord, type ObjectHashKey, type ObjectHashRecord, type ObjectHashStore } from '../ports/object-hash-store';

/**
 * Each kind of hashes up to this size lives in the item; larger ones (objects of more than 7,500
 * pieces: 7.5 GiB at 1 MiB pieces) go to the metadata bucket with a pointer. Two kinds inline stay
 * well inside DynamoDB's 400 KB item.
 */
export const MAX_INLINE_HASH_BYTES = 150_000;
/** Where the large ones go in the metadata bucket. */
export const OBJECT_HASHES_PREFIX = 'hashes/';

const { partitionKey: PK, sortKey: SK } = TORRENT_TABLE_SCHEMA;
const KINDS: readonly HashKind[] = ['v1', 'v2'];
const BATCH_GET_LIMIT = 100;
const METADATA_READS_IN_FLIGHT = 16;

interface HashItem {
  object: string;
  build: string;
  size: number;
  pieceLength: number;
  v1?: Uint8Array;
  v1Object?: string;
  v1PaddedTail?: Uint8Array;
  v2?: Uint8Array;
  v2Object?: string;
}

/** Object hashes in the torrent table (`hashes#<bucket>/<key>`, `<etag>#<size>#<piece length>`), large ones in the metadata bucket. */
export class DynamoDbObjectHashStore implements ObjectHashStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly s3: S3Client,
    private readonly metadataBucket: string,
  ) {}

  async getMany(keys: readonly ObjectHashKey[]): Promise<(ObjectHashes | undefined)[]> {
    const found = new Map<string, HashItem>();
    const unique = [...new Map(keys.map((k) => [itemId(k), k])).values()];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let requested: Record<string, string>[] = unique
        .slice(i, i + BATCH_GET_LIMIT)
        .map((k) => ({ [PK]: partitionOf(k), [SK]: sortOf(k) }));
      // BatchGet may leave keys unprocessed under throttling: ask again for those until none are left.
      for (let attempt = 0; requested.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: requested } } }));
        for (const item of (out.Responses?.[this.tableName] ?? []) as HashItem[]) found.set(`${item.object}\n${item.build}`, item);
        requested = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, string>[];
      }
    }
    return mapLimit(keys, METADATA_READS_IN_FLIGHT, async (key) => {
      const item = found.get(itemId(key));
      return item && this.hashesOf(item);
    });
  }

  async putMany(records: readonly ObjectHashRecord[]): Promise<void> {
    // Every record is checked before anything is written, so a bad one stores none of the batch.
    for (const { key, hashes } of records) checkObjectHashRecord(key, hashes);
    // One BatchWrite may not name a key twice: the last record of a key wins, as a write after another would.
    const last = [...new Map(records.map((r) => [itemId(r.key), r])).values()];
    const items = await mapLimit(last, METADATA_READS_IN_FLIGHT, ({ key, hashes }) => this.itemOf(key, hashes));
    await batchWriteAll(
      this.db,
      this.tableName,
      items.map((Item) => ({ PutRequest: { Item } })),
    );
  }

  async deleteObject(bucket: string, key: string, keepEtag?: string): Promise<number> {
    const items = (await this.itemsOf(bucket, key)).filter((item) => keepEtag === undefined || !item.build.startsWith(`${keepEtag}#`));
    await this.deleteItems(items);
    return items.length;
  }

  /** The item of a record; kinds too large for it go to the metadata bucket first, behind pointers. */
  private async itemOf(key: ObjectHashKey, hashes: ObjectHashes): Promise<HashItem> {
    const item: HashItem = { object: partitionOf(key), build: sortOf(key), size: hashes.size, pieceLength: hashes.pieceLength };
    for (const kind of KINDS) {
      const bytes = hashes[kind];
      if (bytes === undefined) continue;
      if (bytes.length <= MAX_INLINE_HASH_BYTES) {
        item[kind] = bytes;
      } else {
        const objectKey = `${OBJECT_HASHES_PREFIX}${createHash('sha256').update(itemId(key)).digest('hex')}/${kind}`;
        await this.s3.send(
          new PutObjectCommand({ Bucket: this.metadataBucket, Key: objectKey, Body: bytes, ContentType: 'application/octet-stream' }),
        );
        item[`${kind}Object`] = objectKey;
      }
    }
    if (hashes.v1 !== undefined && hashes.v1PaddedTail !== undefined) item.v1PaddedTail = hashes.v1PaddedTail;
    return item;
  }

  private async hashesOf(item: HashItem): Promise<ObjectHashes | undefined> {
    const kind = async (k: HashKind) => {
      const pointer = item[`${k}Object`];
      return item[k] ?? (pointer !== undefined ? await this.readObject(pointer) : undefined);
    };
    const v1 = await kind('v1');
    const hashes: ObjectHashes = {
      size: item.size,
      pieceLength: item.pieceLength,
      v1,
      v1PaddedTail: v1 === undefined ? undefined : item.v1PaddedTail,
      v2: await kind('v2'),
    };
    if (hashes.v1 === undefined && hashes.v2 === undefined) return undefined;
    try {
      checkObjectHashes(hashes);
    } catch {
      return undefined; // damaged: hashed again, as if it were not there
    }
    return hashes;
  }

  private async itemsOf(bucket: string, key: string): Promise<Pick<HashItem, 'object' | 'build' | 'v1Object' | 'v2Object'>[]> {
    return queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: { ':pk': objectHashesPartitionKey(bucket, key) },
      ProjectionExpression: '#pk, #sk, v1Object, v2Object',
    });
  }

  private async deleteItems(items: readonly Pick<HashItem, 'object' | 'build' | 'v1Object' | 'v2Object'>[]): Promise<void> {
    await batchWriteAll(
      this.db,
      this.tableName,
      items.map((item) => ({ DeleteRequest: { Key: { [PK]: item.object, [SK]: item.build } } })),
    );
    for (const objectKey of items.flatMap((item) => [item.v1Object, item.v2Object])) {
      if (objectKey !== undefined) await this.s3.send(new DeleteObjectCommand({ Bucket: this.metadataBucket, Key: objectKey }));
    }
  }

  private async readObject(objectKey: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.metadataBucket, Key: objectKey }));
      return out.Body ? await out.Body.transformToByteArray() : undefined;
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }
}

const partitionOf = (key: ObjectHashKey) => objectHashesPartitionKey(key.bucket, key.key);
const sortOf = (key: ObjectHashKey) => `${key.etag}#${key.size}#${key.pieceLength}`;
const itemId = (key: ObjectHashKey) => `${partitionOf(key)}\n${sortOf(key)}`;
