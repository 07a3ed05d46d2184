import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll, queryAll } from './dynamodb-batches';
import { infoHashV1 } from '../core/info-dict';
import type { CachedTorrent, CacheReadOptions, TorrentCache, TorrentCacheKey } from '../ports/torrent-cache';
import { CACHE_INFO_PREFIX, TORRENT_TABLE_SCHEMA } from '../config/tables';

/**
 * Info dicts up to this size live in the item itself; larger ones (objects of hundreds of GiB and
 * more) go to the metadata bucket with a pointer in the item. DynamoDB's item limit is 400 KB,
 * including attribute names and the other attributes.
 */
export const MAX_INLINE_INFO_BYTES = 350_000;

const { partitionKey: PK, sortKey: SK } = TORRENT_TABLE_SCHEMA;

interface TorrentItem {
  object: string;
  build: string;
  infoHash: string;
  info?: Uint8Array;
  /** Key in the metadata bucket when the info dict did not fit the item. */
  infoObjectKey?: string;
  /** BEP 52 piece layers (v2/hybrid), in the item or, beside a large info dict, in the metadata bucket. */
  pieceLayers?: Uint8Array;
  pieceLayersObjectKey?: string;
  size: number;
  pieceLength: number;
  createdAt: number;
}

export class DynamoDbTorrentCache implements TorrentCache {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly s3: S3Client,
    private readonly metadataBucket: string,
  ) {}

  async get(key: TorrentCacheKey, options: CacheReadOptions = {}): Promise<CachedTorrent | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [PK]: objectKey(key), [SK]: buildKey(key) },
        ConsistentRead: options.consistent === true,
      }),
    );
    const item = out.Item as TorrentItem | undefined;
    if (item === undefined) return undefined;
    const info = item.info ?? (item.infoObjectKey !== undefined ? await this.readInfoObject(item.infoObjectKey) : undefined);
    // An item whose info dict is missing or does not hash to its infohash is treated as a miss and rebuilt.
    if (info === undefined || Buffer.from(infoHashV1(info)).toString('hex') !== item.infoHash) return undefined;
    const pieceLayers =
      item.pieceLayers ?? (item.pieceLayersObjectKey !== undefined ? await this.readInfoObject(item.pieceLayersObjectKey) : undefined);
    if (item.pieceLayersObjectKey !== undefined && pieceLayers === undefined) return undefined;
    return {
      infoHash: item.infoHash,
      info,
      pieceLayers,
      size: item.size,
      pieceLength: item.pieceLength,
      createdAt: new Date(item.createdAt * 1000),
    };
  }

  /**
   * The cache item of a torrent, ready for the publish transaction (see DynamoDbTorrentPublisher).
   * An info dict too large for an item is written to the metadata bucket first, so the item never
   * points at an object that is not there yet; a crash right after leaves only an unreferenced
   * object, which the next build of the same identity overwrites.
   */
  async stageItem(key: TorrentCacheKey, torrent: CachedTorrent): Promise<Record<string, unknown>> {
    const item: TorrentItem = {
      object: objectKey(key),
      build: buildKey(key),
      infoHash: torrent.infoHash,
      size: torrent.size,
      pieceLength: torrent.pieceLength,
      createdAt: Math.floor(torrent.createdAt.getTime() / 1000),
    };
    if (torrent.info.length + (torrent.pieceLayers?.length ?? 0) <= MAX_INLINE_INFO_BYTES) {
      item.info = torrent.info;
      item.pieceLayers = torrent.pieceLayers;
    } else {
      item.infoObjectKey = infoObjectKey(key, torrent.infoHash);
      await this.putMetadataObject(item.infoObjectKey, torrent.info);
      if (torrent.pieceLayers !== undefined) {
        item.pieceLayersObjectKey = item.infoObjectKey.replace(/\.bencode$/, '.piece-layers.bencode');
        await this.putMetadataObject(item.pieceLayersObjectKey, torrent.pieceLayers);
      }
    }
    return { ...item };
  }

  /** Drops the object's torrents of identities other than `key.identity` (an overwritten object's). */
  async dropOtherIdentities(key: TorrentCacheKey): Promise<void> {
    const stale = (await this.itemsOf(key.bucket, key.key)).filter((i) => !i.build.startsWith(`${key.identity}#`));
    await this.deleteItems(stale);
  }

  async evictObject(bucket: string, key: string): Promise<number> {
    const items = await this.itemsOf(bucket, key);
    await this.deleteItems(items);
    return items.length;
  }

  private async itemsOf(bucket: string, key: string): Promise<ItemPointers[]> {
    return queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#ptr': 'infoObjectKey', '#layers': 'pieceLayersObjectKey' },
      ExpressionAttributeValues: { ':pk': `${bucket}/${key}` },
      ProjectionExpression: '#pk, #sk, #ptr, #layers',
    });
  }

  private async deleteItems(items: ItemPointers[]): Promise<void> {
    await batchWriteAll(
      this.db,
      this.tableName,
      items.map((item) => ({ DeleteRequest: { Key: { [PK]: item.object, [SK]: item.build } } })),
    );
    for (const item of items) {
      for (const objectKeyInBucket of [item.infoObjectKey, item.pieceLayersObjectKey]) {
        if (objectKeyInBucket !== undefined)
          await this.s3.send(new DeleteObjectCommand({ Bucket: this.metadataBucket, Key: objectKeyInBucket }));
      }
    }
  }

  private async putMetadataObject(objectKeyInBucket: string, body: Uint8Array): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.metadataBucket, Key: objectKeyInBucket, Body: body, ContentType: 'application/octet-stream' }),
    );
  }

  private async readInfoObject(objectKeyInBucket: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.metadataBucket, Key: objectKeyInBucket }));
      return out.Body ? await out.Body.transformToByteArray() : undefined;
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }
}

type ItemPointers = Pick<TorrentItem, 'object' | 'build' | 'infoObjectKey' | 'pieceLayersObjectKey'>;

const objectKey = (key: TorrentCacheKey) => `${key.bucket}/${key.key}`;
const buildKey = (key: TorrentCacheKey) => `${key.identity}#${key.variant}`;

// One metadata object per cache item (not per infohash: two objects with the same bytes and name
// share an infohash, and evicting one must not delete the other's info dict).
function infoObjectKey(key: TorrentCacheKey, infoHash: string): string {
  const item = createHash('sha256')
    .update(`${objectKey(key)}\n${buildKey(key)}`)
    .digest('hex');
  return `${CACHE_INFO_PREFIX}${infoHash}/${item}.bencode`;
}
