import { DynamoDbBuildLeases } from '../../lambdas/adapters/dynamodb-build-leases';
import { TORRENT_TABLE_SCHEMA } from '../../lambdas/config/tables';
import type { BuildLeases } from '../../lambdas/ports/build-leases';
import type { TorrentCacheKey } from '../../lambdas/ports/torrent-cache';
import { MemoryBuildLeases } from '../support/fakes';
import { portContract, portMethods, TestClock, unique, type Fixture } from './support/contract';
import { standInWorld } from './support/stand-ins';

interface LeasesWorld extends Fixture<BuildLeases> {
  readonly clock: TestClock;
}

const LEASE_MS = 10_000;

portContract<BuildLeases, LeasesWorld>({
  port: 'BuildLeases',
  methods: portMethods<BuildLeases>()('acquire', 'renew', 'release', 'current'),
  targets: [
    { name: 'fake', setUp: () => ({ port: new MemoryBuildLeases(), clock: new TestClock() }) },
    {
      name: 'DynamoDB Local',
      setUp: async () => {
        const world = standInWorld('leases');
        const table = await world.table(TORRENT_TABLE_SCHEMA);
        return { port: new DynamoDbBuildLeases(world.clients.dynamoDb, table), clock: new TestClock(), dispose: world.dispose };
      },
    },
  ],
  tests: (world) => {
    const keyOf = (variant = 'v1'): TorrentCacheKey => ({ bucket: 'b', key: unique('dir/k'), identity: 'etag:"e"', variant });
    const leaseFor = (holder: string, ms = LEASE_MS) => ({ holder, expiresAt: new Date(world().clock.now().getTime() + ms) });

    it('has no lease on a key nobody built', async () => {
      expect(await world().port.current(keyOf())).toBeUndefined();
    });

    it('gives a free key to the first caller and tells who holds it until when, to the millisecond', async () => {
      const { port, clock } = world();
      const key = keyOf();
      const lease = { holder: 'a', expiresAt: new Date(clock.now().getTime() + 1234) };
      expect(await port.acquire(key, lease, clock.now())).toBe(true);
      expect(await port.current(key)).toEqual(lease);
      expect(await port.acquire(key, leaseFor('b'), clock.now())).toBe(false);
      expect(await port.current(key)).toEqual(lease);
    });

    it('lets exactly one of many concurrent callers take a lease', async () => {
      const { port, clock } = world();
      const key = keyOf();
      const won = await Promise.all(Array.from({ length: 20 }, (_, i) => port.acquire(key, leaseFor(`h${i}`), clock.now())));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect((await port.current(key))?.holder).toBe(`h${won.indexOf(true)}`);
    });

    it('lets a lease be taken over once it has run out (its holder crashed), not a millisecond before', async () => {
      const { port, clock } = world();
      const key = keyOf();
      await port.acquire(key, leaseFor('crashed'), clock.now());
      clock.advance(LEASE_MS - 1);
      expect(await port.acquire(key, leaseFor('early'), clock.now())).toBe(false);
      clock.advance(1);
      expect(await port.acquire(key, leaseFor('next'), clock.now())).toBe(true);
      expect((await port.current(key))?.holder).toBe('next');
      // The crashed holder, come back, can neither renew nor release the lease it lost.
      expect(await port.renew(key, leaseFor('crashed'))).toBe(false);
      await port.release(key, 'crashed');
      expect((await port.current(key))?.holder).toBe('next');
    });

    it('renews only for its holder, so a live builder keeps its lease past the first expiry', async () => {
      const { port, clock } = world();
      const key = keyOf();
      await port.acquire(key, leaseFor('a'), clock.now());
      expect(await port.renew(key, leaseFor('b', 60_000))).toBe(false);
      clock.advance(LEASE_MS / 2);
      const renewed = leaseFor('a');
      expect(await port.renew(key, renewed)).toBe(true);
      expect(await port.current(key)).toEqual(renewed);
      clock.advance(LEASE_MS / 2 + 1);
      expect(await port.acquire(key, leaseFor('b'), clock.now())).toBe(false);
    });

    it('frees a released lease at once; a late renewal does not bring it back', async () => {
      const { port, clock } = world();
      const key = keyOf();
      await port.acquire(key, leaseFor('a'), clock.now());
      await port.release(key, 'a');
      expect(await port.current(key)).toBeUndefined();
      expect(await port.renew(key, leaseFor('a'))).toBe(false);
      expect(await port.current(key)).toBeUndefined();
      await port.release(key, 'a');
      expect(await port.acquire(key, leaseFor('b'), clock.now())).toBe(true);
    });

    it('keeps separate leases per variant and per identity of one object', async () => {
      const { port, clock } = world();
      const v1 = keyOf('v1');
      const hybrid = { ...v1, variant: 'hybrid' };
      const otherIdentity = { ...v1, identity: 'etag:"f"' };
      expect(await port.acquire(v1, leaseFor('a'), clock.now())).toBe(true);
      expect(await port.acquire(hybrid, leaseFor('b'), clock.now())).toBe(true);
      expect(await port.acquire(otherIdentity, leaseFor('c'), clock.now())).toBe(true);
      await port.release(v1, 'a');
      expect((await port.current(hybrid))?.holder).toBe('b');
    });
  },
});
