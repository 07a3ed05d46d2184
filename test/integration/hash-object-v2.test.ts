import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store';
import { buildInfo, TorrentPieceHasher } from '../../lambdas/core/build-info';
import { hashObject } from '../../lambdas/torrents/hash-object';
import { createBucket, putObject, testBytes, testClients, uniqueSuffix } from '../support/service';

const clients = testClients();
const store = new S3ObjectStore(clients.s3);
const bucket = `hash-v2-${uniqueSuffix()}`;

beforeAll(() => createBucket(clients, bucket));
afterAll(() => {
  clients.s3.destroy();
  clients.dynamoDb.destroy();
});

describe('hashObject (parallel ranged GETs) for v2 and hybrid', () => {
  it.each([
    // ranges of a few pieces, one piece, and ranges that do not divide the object evenly
    [1_000_001, 32 * 1024, 100_000],
    [1_000_001, 32 * 1024, 32 * 1024],
    [300_000, 16 * 1024, 50_000],
  ])('%d bytes, %d-byte pieces, %d-byte ranges: the same torrent as one pass over the bytes', async (size, pieceLength, rangeBytes) => {
    const data = testBytes(size, size);
    const key = `o-${size}-${pieceLength}-${rangeBytes}.bin`;
    await putObject(clients, bucket, key, data);
    const head = await store.head(bucket, key);
    for (const format of ['v2', 'hybrid'] as const) {
      const hashes = await hashObject(store, head, pieceLength, format, undefined, { concurrency: 4, rangeBytes });
      const whole = new TorrentPieceHasher(pieceLength, format);
      whole.update(data);
      const info = (h: typeof hashes) => Buffer.from(buildInfo({ format, name: 'x', length: size, pieceLength, hashes: h }).info);
      expect(info(hashes)).toEqual(info(whole.digest()));
    }
  });
});
