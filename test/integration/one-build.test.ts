import { DynamoDbBuildLeases } from '../../lambdas/adapters/dynamodb-build-leases';
import { objectIdentity } from '../../lambdas/ports/object-store';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { putObject, standInEndpoints, startTestService, testBytes } from '../support/service';

type Service = Awaited<ReturnType<typeof startTestService>>;

const torrentUrl = (service: Service, key: string) => `${service.apiUrl}/${service.bucket}/${key}?torrent`;

describe('one build per object identity (the local service, S3 reads counted by a proxy)', () => {
  let proxy: CountingProxy;
  let service: Service;
  beforeAll(async () => {
    proxy = await startCountingProxy(standInEndpoints().s3Endpoint);
    service = await startTestService({ s3Endpoint: proxy.endpoint, workflow: false });
  });
  afterAll(async () => {
    await service.stop();
    await proxy.stop();
  });

  it('builds an uncached 20 MB object once for 50 concurrent requests, which all get the same torrent', async () => {
    const size = 20 * 1024 * 1024;
    await putObject(service.clients, service.bucket, 'burst.bin', testBytes(size, 50));
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const res = await fetch(torrentUrl(service, 'burst.bin'));
        return { status: res.status, cache: res.headers.get('x-torrent-cache'), body: Buffer.from(await res.arrayBuffer()) };
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(answers.filter((a) => a.cache === 'miss')).toHaveLength(1);
    expect(answers.filter((a) => a.cache === 'hit')).toHaveLength(49);
    expect(new Set(answers.map((a) => a.body.toString('base64'))).size).toBe(1);
    // The object's bytes crossed from S3 exactly once (the upload went around the proxy).
    expect(proxy.bytesRead(service.bucket, 'burst.bin')).toBe(size);
  }, 120_000);

  describe('while another request holds the lease', () => {
    // The same service, but waiting 1.5 s instead of 20 s before it answers 202.
    let service: Service;
    beforeAll(async () => {
      service = await startTestService({ s3Endpoint: proxy.endpoint, workflow: false, leaseSettings: { waitMs: 1_500 } });
    });
    afterAll(() => service.stop());

    const holdLease = async (key: string, forMs: number) => {
      const head = await new S3ObjectStore(service.clients.s3).head(service.bucket, key);
      const cacheKey = { bucket: service.bucket, key, identity: objectIdentity(head), variant: 'v1' };
      const leases = new DynamoDbBuildLeases(service.clients.dynamoDb, service.names.torrentTable);
      expect(await leases.acquire(cacheKey, { holder: 'another-request', expiresAt: new Date(Date.now() + forMs) }, new Date())).toBe(true);
      return () => leases.release(cacheKey, 'another-request');
    };

    it('answers 202 with Retry-After once it has waited as long as it may, and reads nothing', async () => {
      await putObject(service.clients, service.bucket, 'held.bin', testBytes(100_000, 51));
      const release = await holdLease('held.bin', 60_000);
      const res = await fetch(torrentUrl(service, 'held.bin'));
      expect(res.status).toBe(202);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toMatchObject({
        state: 'BUILDING',
        bucket: service.bucket,
        key: 'held.bin',
        size: 100_000,
        torrentUrl: torrentUrl(service, 'held.bin'),
      });
      expect(proxy.bytesRead(service.bucket, 'held.bin')).toBe(0);
      await release();
      const after = await fetch(torrentUrl(service, 'held.bin'));
      expect(after.status).toBe(200);
      expect(after.headers.get('x-torrent-cache')).toBe('miss');
    });

    it('takes over a lease its holder stopped renewing (a crash) once it runs out, and builds', async () => {
      await putObject(service.clients, service.bucket, 'orphaned.bin', testBytes(100_000, 52));
      await holdLease('orphaned.bin', 700);
      const res = await fetch(torrentUrl(service, 'orphaned.bin'));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-torrent-cache')).toBe('miss');
    });
  });
});
