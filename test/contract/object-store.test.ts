import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store';
import { ObjectChangedError, ServiceError } from '../../lambdas/http/errors';
import type { ObjectStore } from '../../lambdas/ports/object-store';
import { MemoryObjectStore } from '../support/fakes';
import { putObject, testBytes } from '../support/service';
import { portContract, portMethods, unique, type Fixture } from './support/contract';
import { standInWorld } from './support/stand-ins';

interface ObjectStoreWorld extends Fixture<ObjectStore> {
  /** A bucket of this world (created). */
  readonly bucket: string;
  put(key: string, data: Buffer): Promise<void>;
  remove(key: string): Promise<void>;
  /** Follows a URL presignGet made, as a client would. */
  fetch(url: string): Promise<Buffer>;
  /** HEADs a URL presignGet made for HEAD: the Content-Length. */
  headLength(url: string): Promise<number>;
}

async function collect(iterable: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of iterable) parts.push(part);
  return Buffer.concat(parts);
}

portContract<ObjectStore, ObjectStoreWorld>({
  port: 'ObjectStore',
  methods: portMethods<ObjectStore>()('head', 'readRange', 'presignGet'),
  targets: [
    {
      name: 'fake',
      setUp: () => {
        const store = new MemoryObjectStore();
        const bucket = 'fake-bucket';
        store.createBucket(bucket);
        return {
          port: store,
          bucket,
          put: async (key, data) => void store.put(bucket, key, data),
          remove: async (key) => void store.objects.delete(`${bucket}/${key}`),
          fetch: async (url) => store.fetchPresigned(url),
          headLength: async (url) => store.fetchPresigned(url).length,
        };
      },
    },
    {
      name: 's3rver',
      setUp: async () => {
        const world = standInWorld('objects');
        const bucket = await world.bucket();
        return {
          port: new S3ObjectStore(world.clients.s3),
          bucket,
          put: (key, data) => putObject(world.clients, bucket, key, data),
          remove: async (key) => void (await world.clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))),
          fetch: async (url) => {
            const res = await fetch(url);
            if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
            return Buffer.from(await res.arrayBuffer());
          },
          headLength: async (url) => {
            const res = await fetch(url, { method: 'HEAD' });
            if (!res.ok) throw new Error(`HEAD ${url}: ${res.status}`);
            return Number(res.headers.get('content-length'));
          },
          dispose: world.dispose,
        };
      },
    },
  ],
  tests: (world) => {
    it('HEADs size and a quoted ETag that changes with the bytes, without a version in an unversioned bucket', async () => {
      const { port, bucket, put } = world();
      const key = unique('dir/a b.bin');
      await put(key, testBytes(1234, 1));
      const head = await port.head(bucket, key);
      expect(head).toMatchObject({ bucket, key, size: 1234 });
      expect(head.versionId).toBeUndefined();
      expect(head.etag).toMatch(/^"[0-9a-f]{32}"$/);
      await put(key, testBytes(1234, 2));
      expect((await port.head(bucket, key)).etag).not.toBe(head.etag);
    });

    it('tells a missing key from a missing bucket, as ServiceErrors', async () => {
      const { port, bucket } = world();
      await expect(port.head(bucket, unique('missing'))).rejects.toMatchObject({ status: 404, code: 'NoSuchKey' });
      await expect(port.head(unique('no-such-bucket'), 'x')).rejects.toMatchObject({ status: 404, code: 'NoSuchBucket' });
      await expect(port.head(bucket, unique('missing'))).rejects.toBeInstanceOf(ServiceError);
    });

    it('reads exact byte ranges, and nothing for an empty one', async () => {
      const { port, bucket, put } = world();
      const key = unique('r.bin');
      const data = testBytes(100_000, 3);
      await put(key, data);
      const head = await port.head(bucket, key);
      expect((await collect(port.readRange(head, { start: 1, end: 2 }))).equals(data.subarray(1, 2))).toBe(true);
      expect((await collect(port.readRange(head, { start: 12_345, end: 67_890 }))).equals(data.subarray(12_345, 67_890))).toBe(true);
      expect((await collect(port.readRange(head, { start: 99_000, end: 100_000 }))).equals(data.subarray(99_000))).toBe(true);
      expect((await collect(port.readRange(head, { start: 0, end: 100_000 }))).equals(data)).toBe(true);
      expect((await collect(port.readRange(head, { start: 500, end: 500 }))).length).toBe(0);
    });

    it('refuses to read an object overwritten or deleted after its HEAD (no mixing of versions)', async () => {
      const { port, bucket, put, remove } = world();
      const key = unique('o.bin');
      await put(key, testBytes(50_000, 4));
      const head = await port.head(bucket, key);
      await put(key, testBytes(50_000, 5));
      await expect(collect(port.readRange(head, { start: 10, end: 1000 }))).rejects.toBeInstanceOf(ObjectChangedError);
      await remove(key);
      await expect(collect(port.readRange(head, { start: 10, end: 1000 }))).rejects.toBeInstanceOf(ObjectChangedError);
    });

    it('presigns HEAD URLs that answer with the object length (a signature covers its method)', async () => {
      const { port, bucket, put, headLength } = world();
      const key = unique('dir/h e a d.bin');
      await put(key, testBytes(4321, 7));
      const url = await port.presignGet(bucket, key, { expiresInSeconds: 60, method: 'HEAD' });
      expect(await headLength(url)).toBe(4321);
    });

    it('presigns GET URLs that serve the object, for keys that need escaping', async () => {
      const { port, bucket, put, fetch } = world();
      const data = testBytes(999, 6);
      const key = unique('dir/s p a c e+%ü.bin');
      await put(key, data);
      const url = await port.presignGet(bucket, key, { expiresInSeconds: 60 });
      expect((await fetch(url)).equals(data)).toBe(true);
    });
  },
});
