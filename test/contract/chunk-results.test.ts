import { chunkKey, S3ChunkResults } from '../../lambdas/adapters/s3-chunk-results';
import type { ChunkResultStore } from '../../lambdas/ports/chunk-results';
import { executionNameFor, jobIdFor } from '../../lambdas/ports/hashing-job';
import { MemoryChunkResults } from '../support/fakes';
import { portContract, portMethods, unique } from './support/contract';
import { standInWorld } from './support/stand-ins';

const execution = (attempt = 1) => executionNameFor(jobIdFor('b', unique('k'), 'etag:"e"', 'v1'), attempt);

portContract<ChunkResultStore, { port: ChunkResultStore; dispose?: () => void }>({
  port: 'ChunkResultStore',
  methods: portMethods<ChunkResultStore>()('put', 'get', 'deleteAll'),
  targets: [
    { name: 'fake', setUp: () => ({ port: new MemoryChunkResults() }) },
    {
      name: 's3rver',
      setUp: async () => {
        const world = standInWorld('chunks');
        return { port: new S3ChunkResults(world.clients.s3, await world.bucket()), dispose: world.dispose };
      },
    },
  ],
  tests: (world) => {
    it('reads back what was stored; a retried chunk replaces its result', async () => {
      const { port } = world();
      const name = execution();
      await port.put(name, 0, Buffer.alloc(40, 1));
      await port.put(name, 0, Buffer.alloc(40, 2));
      expect(Buffer.from(await port.get(name, 0))).toEqual(Buffer.alloc(40, 2));
    });

    it('throws for a chunk with no result', async () => {
      await expect(world().port.get(execution(), 3)).rejects.toThrow();
    });

    it('deletes every result of one execution, across listing pages, and no other', async () => {
      const { port } = world();
      const name = execution(1);
      // 1,000 keys per ListObjectsV2 page: 1,003 takes two.
      const count = 1003;
      for (let i = 0; i < count; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, count - i) }, (_, j) => port.put(name, i + j, Buffer.alloc(20, (i + j) % 256))),
        );
      }
      // Another attempt whose name extends this one's: a prefix match without the `/` would take it too.
      const longer = `${name}0`;
      await port.put(longer, 0, Buffer.alloc(20, 9));
      expect(Buffer.from(await port.get(name, 1002))).toEqual(Buffer.alloc(20, 1002 % 256));
      expect(await port.deleteAll(name)).toBe(count);
      await expect(port.get(name, 0)).rejects.toThrow();
      expect(await port.deleteAll(name)).toBe(0);
      expect(Buffer.from(await port.get(longer, 0))).toEqual(Buffer.alloc(20, 9));
    }, 60_000);
  },
});

it('keeps chunk results under jobs/<execution>/chunk-<6 digits> (the prefix CDK grants and expires)', () => {
  expect(chunkKey('abc-1', 7)).toBe('jobs/abc-1/chunk-000007');
});
