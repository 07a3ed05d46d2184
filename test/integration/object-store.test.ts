import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store';
import type { ObjectStore } from '../../lambdas/ports/object-store';
import { ObjectChangedError } from '../../lambdas/http/errors';
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
  // The port's behaviour is in test/contract/object-store.test.ts; these are S3-specific.
  it('refuses the extra bytes of a range s3rver answers whole', async () => {
    const data = testBytes(100_000, 2);
    await putObject(clients, bucket, 'r.bin', data);
    const head = await store.head(bucket, 'r.bin');
    // (s3rver answers `bytes=0-0` with the whole object; readRange refuses the extra bytes.)
    await expect(collect(store.readRange(head, { start: 0, end: 1 }))).rejects.toThrow(/too many bytes/);
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
});
