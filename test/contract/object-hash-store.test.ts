import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDbObjectHashStore, MAX_INLINE_HASH_BYTES, OBJECT_HASHES_PREFIX } from '../../lambdas/adapters/dynamodb-object-hash-store';
import { TORRENT_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { joinRangeHashes, mergeObjectHashes, ObjectHashesHasher, type HashKind, type ObjectHashes } from '../../lambdas/core/object-hashes';
import type { ObjectHashKey, ObjectHashStore } from '../../lambdas/ports/object-hash-store';
import { MemoryObjectHashStore } from '../support/folder-fakes';
import { testBytes } from '../support/service';
import { portContract, portMethods, unique, type Fixture } from './support/contract';
import { standInWorld } from './support/stand-ins';

interface HashesWorld extends Fixture<ObjectHashStore> {
  /** Objects the adapter keeps in the metadata bucket (the fake keeps none). */
  offloaded(): Promise<number>;
}

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
/** Hashes of more pieces than an item holds inline (10,000 pieces of 16 KiB). */
const large = (seed: number): ObjectHashes => ({
  size: 10_000 * 16384,
  pieceLength: 16384,
  v1: testBytes(10_000 * 20, seed),
  v2: testBytes(10_000 * 32, seed + 1),
});

portContract<ObjectHashStore, HashesWorld>({
  port: 'ObjectHashStore',
  methods: portMethods<ObjectHashStore>()('getMany', 'putMany', 'deleteObject'),
  targets: [
    { name: 'fake', setUp: () => ({ port: new MemoryObjectHashStore(), offloaded: async () => 0 }) },
    {
      name: 'DynamoDB Local and s3rver',
      setUp: async () => {
        const world = standInWorld('hashes');
        const table = await world.table(TORRENT_TABLE_SCHEMA);
        const bucket = await world.bucket();
        return {
          port: new DynamoDbObjectHashStore(world.clients.dynamoDb, table, world.clients.s3, bucket),
          offloaded: async () =>
            (await world.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: OBJECT_HASHES_PREFIX }))).KeyCount ?? 0,
          dispose: world.dispose,
        };
      },
    },
  ],
  tests: (world) => {
    const put = (key: ObjectHashKey, hashes: ObjectHashes) => world().port.putMany([{ key, hashes }]);

    it('has nothing for an object never stored', async () => {
      expect(await world().port.getMany([keyOf(unique('never'), '"e"', 10)])).toEqual([undefined]);
    });

    it('gives back what was stored, and a record stored again replaces it (writers store the union of kinds)', async () => {
      const key = keyOf(unique('kinds'), '"e1"', data.length);
      await put(key, hashesOf(data, 16384, ['v1']));
      expect(await world().port.getMany([key])).toEqual([hashesOf(data, 16384, ['v1'])]);
      await put(key, mergeObjectHashes(hashesOf(data, 16384, ['v2']), hashesOf(data, 16384, ['v1'])));
      expect(await world().port.getMany([key])).toEqual([hashesOf(data, 16384, ['v1', 'v2'])]);
    });

    it('keeps the records of the contents it is told to keep (every piece length), and drops the others', async () => {
      const object = unique('overwritten');
      await put(keyOf(object, '"old"', data.length), hashesOf(data, 16384, ['v1']));
      await put(keyOf(object, '"new"', data.length), hashesOf(data, 16384, ['v1']));
      await put(keyOf(object, '"new"', data.length, 32768), hashesOf(data, 32768, ['v1']));
      expect(await world().port.deleteObject('b', object, '"new"')).toBe(1);
      const [old, current, longer] = await world().port.getMany([
        keyOf(object, '"old"', data.length),
        keyOf(object, '"new"', data.length),
        keyOf(object, '"new"', data.length, 32768),
      ]);
      expect([old === undefined, current !== undefined, longer !== undefined]).toEqual([true, true, true]);
    });

    it('drops every record of the object when the contents to keep have none', async () => {
      const object = unique('replaced');
      await put(keyOf(object, '"a"', data.length), hashesOf(data, 16384, ['v1']));
      await put(keyOf(object, '"b"', data.length), hashesOf(data, 16384, ['v2']));
      expect(await world().port.deleteObject('b', object, '"c"')).toBe(2);
      expect(await world().port.deleteObject('b', object, '"c"')).toBe(0);
    });

    it('forgets every record of a deleted object', async () => {
      const object = unique('deleted');
      await put(keyOf(object, '"a"', data.length), hashesOf(data, 16384, ['v1']));
      await put(keyOf(object, '"a"', data.length, 65536), hashesOf(data, 65536, ['v1']));
      expect(await world().port.deleteObject('b', object)).toBe(2);
      expect(await world().port.getMany([keyOf(object, '"a"', data.length)])).toEqual([undefined]);
      expect(await world().port.deleteObject('b', object)).toBe(0);
    });

    it('stores and answers many records at once, in order, repeats and misses included (more than one batch)', async () => {
      const keys = Array.from({ length: 130 }, (_, i) => keyOf(unique(`many-${i}`), `"${i}"`, 1000 + i));
      await world().port.putMany(
        keys.filter((_, i) => i % 3 === 0).map((key) => ({ key, hashes: hashesOf(testBytes(key.size, 1), 16384, ['v2']) })),
      );
      const asked = [...keys, keys[0]!];
      const got = await world().port.getMany(asked);
      expect(got.map((h) => h?.size)).toEqual(asked.map((k, i) => (i % 3 === 0 || i === keys.length ? k.size : undefined)));
    });

    it('keeps the last record when a batch names a key twice', async () => {
      const key = keyOf(unique('twice'), '"t"', data.length);
      await world().port.putMany([
        { key, hashes: hashesOf(data, 16384, ['v1']) },
        { key, hashes: hashesOf(data, 16384, ['v2']) },
      ]);
      expect(await world().port.getMany([key])).toEqual([hashesOf(data, 16384, ['v2'])]);
    });

    it('holds hashes of large objects (more than an item holds), and lets go of them with the object', async () => {
      const big = large(7);
      expect(big.v1!.length).toBeGreaterThan(MAX_INLINE_HASH_BYTES);
      const object = unique('big');
      const before = await world().offloaded();
      await put(keyOf(object, '"big"', big.size), big);
      expect(await world().port.getMany([keyOf(object, '"big"', big.size)])).toEqual([big]);
      expect(await world().port.deleteObject('b', object)).toBe(1);
      expect(await world().offloaded()).toBe(before);
    });

    it('refuses hashes that do not fit their key, storing none of the batch (large hashes included)', async () => {
      const good = keyOf(unique('batch-good'), '"g"', data.length);
      const bigKey = keyOf(unique('batch-big'), '"g"', large(9).size);
      const before = await world().offloaded();
      await expect(
        world().port.putMany([
          { key: good, hashes: hashesOf(data, 16384, ['v1']) },
          { key: bigKey, hashes: large(9) },
          { key: keyOf(unique('bad'), '"x"', 5), hashes: hashesOf(data, 16384, ['v1']) },
        ]),
      ).rejects.toThrow(/size/);
      expect(await world().port.getMany([good, bigKey])).toEqual([undefined, undefined]);
      expect(await world().offloaded()).toBe(before);
    });
  },
});
