import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store';
import type { ObjectStore } from '../../lambdas/ports/object-store';
import { ObjectChangedError, ServiceError } from '../../lambdas/http/errors';
import { hashPieces } from '../../lambdas/core/piece-hasher';
import { hashObjectPieces } from '../../lambdas/torrents/hash-object';
import { createBucket, putObject, testBytes, testClients, uniqueSuffix } from '../support/service';

const clients = testClients();
const store = new S3ObjectStore(clients.s3);
const bucket = `store-${uniqueSuffix()}`;

beforeAll(() => createBucket(clients, bucket));
afterAll(() => {
  clients.s3.destroy();
  clients.dynamoDb.destroy();
});

async function collect(iterable: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of iterable) parts.push(part);
  return Buffer.concat(parts);
}

describe('S3ObjectStore', () => {
  it('HEADs size and ETag, without a version for an unversioned bucket', async () => {
    await putObject(clients, bucket, 'a.bin', testBytes(1234, 1));
    const head = await store.head(bucket, 'a.bin');
    expect(head).toMatchObject({ bucket, key: 'a.bin', size: 1234, versionId: undefined });
    expect(head.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('tells a missing key from a missing bucket', async () => {
    await expect(store.head(bucket, 'missing')).rejects.toMatchObject({ status: 404, code: 'NoSuchKey' });
    await expect(store.head(`missing-${uniqueSuffix()}`, 'x')).rejects.toMatchObject({ status: 404, code: 'NoSuchBucket' });
    await expect(store.head(bucket, 'missing')).rejects.toBeInstanceOf(ServiceError);
  });

  it('reads exact byte ranges', async () => {
    const data = testBytes(100_000, 2);
    await putObject(clients, bucket, 'r.bin', data);
    const head = await store.head(bucket, 'r.bin');
    // (s3rver answers `bytes=0-0` with the whole object; readRange refuses the extra bytes.)
    await expect(collect(store.readRange(head, { start: 0, end: 1 }))).rejects.toThrow(/too many bytes/);
    expect((await collect(store.readRange(head, { start: 1, end: 2 }))).equals(data.subarray(1, 2))).toBe(true);
    expect((await collect(store.readRange(head, { start: 99_000, end: 100_000 }))).equals(data.subarray(99_000))).toBe(true);
  });

  it('refuses to read an object that was overwritten after HEAD (no mixing of versions)', async () => {
    await putObject(clients, bucket, 'o.bin', testBytes(50_000, 3));
    const head = await store.head(bucket, 'o.bin');
    await putObject(clients, bucket, 'o.bin', testBytes(50_000, 4));
    await expect(collect(store.readRange(head, { start: 0, end: 1000 }))).rejects.toBeInstanceOf(ObjectChangedError);
  });

  it('fails a parallel hash of an object overwritten between its ranged reads', async () => {
    await putObject(clients, bucket, 'mid.bin', testBytes(1024 * 1024, 5));
    const head = await store.head(bucket, 'mid.bin');
    // The real store, with the object overwritten just before the second ranged GET goes out.
    let overwritten = false;
    const overwriting: ObjectStore = {
      head: (b, k) => store.head(b, k),
      presignGet: (b, k, o) => store.presignGet(b, k, o),
      async *readRange(h, range) {
        if (range.start > 0 && !overwritten) {
          overwritten = true;
          await putObject(clients, bucket, 'mid.bin', testBytes(1024 * 1024, 6));
        }
        yield* store.readRange(h, range);
      },
    };
    const hashing = hashObjectPieces(overwriting, head, 32 * 1024, undefined, { concurrency: 1, rangeBytes: 256 * 1024 });
    await expect(hashing).rejects.toBeInstanceOf(ObjectChangedError);
    expect(overwritten).toBe(true);
  });

  it('hashes in parallel ranges to the same pieces as one pass', async () => {
    const data = testBytes(3 * 1024 * 1024 + 17, 7);
    await putObject(clients, bucket, 'p.bin', data);
    const head = await store.head(bucket, 'p.bin');
    const pieces = await hashObjectPieces(store, head, 32 * 1024, undefined, { concurrency: 4, rangeBytes: 100_000 });
    expect(Buffer.from(pieces).equals(Buffer.from(hashPieces(data, 32 * 1024)))).toBe(true);
  });

  it('presigns GET URLs that serve the object', async () => {
    const data = testBytes(999, 8);
    await putObject(clients, bucket, 'dir/s p a c e.bin', data);
    const url = await store.presignGet(bucket, 'dir/s p a c e.bin', { expiresInSeconds: 60 });
    expect(url).toContain('X-Amz-Expires=60');
    const res = await fetch(url);
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
  });
});
