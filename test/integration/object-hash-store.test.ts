import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDbObjectHashStore, MAX_INLINE_HASH_BYTES, OBJECT_HASHES_PREFIX } from '../../lambdas/adapters/dynamodb-object-hash-store';
import { joinRangeHashes, mergeObjectHashes, ObjectHashesHasher, type HashKind, type ObjectHashes } from '../../lambdas/core/object-hashes';
import type { ObjectHashKey, ObjectHashStore } from '../../lambdas/ports/object-hash-store';
import { TORRENT_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { MemoryObjectHashStore } from '../support/folder-fakes';
import { createBucket, createTestTable, testBytes, testClients, uniqueSuffix } from '../support/service';

const clients = testClients();
const suffix = uniqueSuffix();
const table = `hashes-${suffix}`;
const metadataBucket = `metadata-${suffix}`;

beforeAll(async () => {
  await createTestTable(table, TORRENT_TABLE_SCHEMA);
  await createBucket(clients, metadataBucket);
});
afterAll(() => {
  clients.s3.destroy();
  clients.dynamoDb.destroy();
});

function hashesOf(data: Uint8Array, pieceLength: number, kinds: HashKind[]): ObjectHashes {
  const hasher = new ObjectHashesHasher(pieceLength, kinds);
  hasher.update(data);
  return joinRangeHashes(data.length, pieceLength, [hasher.digest()]);
}

const keyOf = (key: string, etag: string, size: number, pieceLength = 16384): ObjectHashKey => ({
  bucket: 'b',
  key,
  etag,
  size,
  pieceLength,
});
const data = testBytes(100_000, 5);

/** The contract every ObjectHashStore keeps: run against the fake and the DynamoDB adapter. */
function objectHashStoreContract(name: string, make: () => ObjectHashStore) {
  describe(`${name} (ObjectHashStore contract)`, () => {
    const store = make();
    const unique = (label: string) => `${label}-${name}`;
    const put = (key: ObjectHashKey, hashes: ObjectHashes) => store.putMany([{ key, hashes }]);

    it('has nothing for an object never stored', async () => {
      expect(await store.getMany([keyOf(unique('never'), '"e"', 10)])).toEqual([undefined]);
    });

    it('gives back what was stored, and a record stored again replaces it (writers store the union of kinds)', async () => {
      const key = keyOf(unique('kinds'), '"e1"', data.length);
      await put(key, hashesOf(data, 16384, ['v1']));
      expect(await store.getMany([key])).toEqual([hashesOf(data, 16384, ['v1'])]);
      await put(key, mergeObjectHashes(hashesOf(data, 16384, ['v2']), hashesOf(data, 16384, ['v1'])));
      expect(await store.getMany([key])).toEqual([hashesOf(data, 16384, ['v1', 'v2'])]);
    });

    it('keeps the records of the contents it is told to keep, and drops the others', async () => {
      const object = unique('overwritten');
      await put(keyOf(object, '"old"', data.length), hashesOf(data, 16384, ['v1']));
      await put(keyOf(object, '"new"', data.length), hashesOf(data, 16384, ['v1']));
      await put(keyOf(object, '"new"', data.length, 32768), hashesOf(data, 32768, ['v1']));
      expect(await store.deleteObject('b', object, '"new"')).toBe(1);
      const [old, current, longer] = await store.getMany([
        keyOf(object, '"old"', data.length),
        keyOf(object, '"new"', data.length),
        keyOf(object, '"new"', data.length, 32768),
      ]);
      expect([old === undefined, current !== undefined, longer !== undefined]).toEqual([true, true, true]);
    });

    it('stores and answers many records at once, in order, repeats and misses included (more than one batch)', async () => {
      const keys = Array.from({ length: 130 }, (_, i) => keyOf(unique(`many-${i}`), `"${i}"`, 1000 + i));
      await store.putMany(
        keys.filter((_, i) => i % 3 === 0).map((key) => ({ key, hashes: hashesOf(testBytes(key.size, 1), 16384, ['v2']) })),
      );
      const asked = [...keys, keys[0]!];
      const got = await store.getMany(asked);
      expect(got.map((h) => h?.size)).toEqual(asked.map((k, i) => (i % 3 === 0 || i === keys.length ? k.size : undefined)));
    });

    it('holds hashes of large objects (more than an item holds)', async () => {
      // 10,000 pieces: 200 KB of v1 hashes and 320 KB of v2 roots.
      const size = 10_000 * 16384;
      const big: ObjectHashes = { size, pieceLength: 16384, v1: testBytes(10_000 * 20, 7), v2: testBytes(10_000 * 32, 8) };
      expect(big.v1!.length).toBeGreaterThan(MAX_INLINE_HASH_BYTES);
      const key = keyOf(unique('big'), '"big"', size);
      await put(key, big);
      expect(await store.getMany([key])).toEqual([big]);
    });

    it('keeps the last record when a batch names a key twice', async () => {
      const key = keyOf(unique('twice'), '"t"', data.length);
      await store.putMany([
        { key, hashes: hashesOf(data, 16384, ['v1']) },
        { key, hashes: hashesOf(data, 16384, ['v2']) },
      ]);
      expect(await store.getMany([key])).toEqual([hashesOf(data, 16384, ['v2'])]);
    });

    it('drops every record of the object when the contents to keep have none', async () => {
      const object = unique('replaced');
      await put(keyOf(object, '"a"', data.length), hashesOf(data, 16384, ['v1']));
      await put(keyOf(object, '"b"', data.length), hashesOf(data, 16384, ['v2']));
      expect(await store.deleteObject('b', object, '"c"')).toBe(2);
      expect(await store.deleteObject('b', object, '"c"')).toBe(0);
    });

    it('forgets every record of a deleted object', async () => {
      const object = unique('deleted');
      await put(keyOf(object, '"a"', data.length), hashesOf(data, 16384, ['v1']));
      await put(keyOf(object, '"a"', data.length, 65536), hashesOf(data, 65536, ['v1']));
      expect(await store.deleteObject('b', object)).toBe(2);
      expect(await store.getMany([keyOf(object, '"a"', data.length)])).toEqual([undefined]);
      expect(await store.deleteObject('b', object)).toBe(0);
    });

    it('refuses hashes that do not fit their key, storing none of the batch', async () => {
      const good = keyOf(unique('batch-good'), '"g"', data.length);
      await expect(
        store.putMany([
          { key: good, hashes: hashesOf(data, 16384, ['v1']) },
          { key: keyOf(unique('bad'), '"x"', 5), hashes: hashesOf(data, 16384, ['v1']) },
        ]),
      ).rejects.toThrow(/size/);
      expect(await store.getMany([good])).toEqual([undefined]);
    });
  });
}

objectHashStoreContract('memory', () => new MemoryObjectHashStore());
objectHashStoreContract('DynamoDB', () => new DynamoDbObjectHashStore(clients.dynamoDb, table, clients.s3, metadataBucket));

describe('DynamoDbObjectHashStore', () => {
  const store = new DynamoDbObjectHashStore(clients.dynamoDb, table, clients.s3, metadataBucket);
  const listHashObjects = async () =>
    (await clients.s3.send(new ListObjectsV2Command({ Bucket: metadataBucket, Prefix: OBJECT_HASHES_PREFIX }))).KeyCount ?? 0;

  it('puts large hashes in the metadata bucket, and deletes them with the record', async () => {
    const before = await listHashObjects();
    const size = 10_000 * 16384;
    await store.putMany([{ key: keyOf('offloaded', '"x"', size), hashes: { size, pieceLength: 16384, v1: testBytes(200_000, 1) } }]);
    expect(await listHashObjects()).toBe(before + 1);
    await store.deleteObject('b', 'offloaded');
    expect(await listHashObjects()).toBe(before);
  });

  it('writes nothing, not even large hashes, when a record of the batch is bad', async () => {
    const before = await listHashObjects();
    const size = 10_000 * 16384;
    await expect(
      store.putMany([
        { key: keyOf('offloaded-batch', '"x"', size), hashes: { size, pieceLength: 16384, v1: testBytes(200_000, 1) } },
        { key: keyOf('offloaded-bad', '"x"', 5), hashes: hashesOf(data, 16384, ['v1']) },
      ]),
    ).rejects.toThrow(/size/);
    expect(await listHashObjects()).toBe(before);
  });
});
