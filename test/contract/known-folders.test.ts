import { DynamoDbKnownFolders, KNOWN_FOLDER_DAYS } from '../../lambdas/adapters/dynamodb-known-folders';
import { TORRENT_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { prefixesAbove, type KnownFolders } from '../../lambdas/ports/known-folders';
import { MemoryKnownFolders } from '../support/folder-fakes';
import { portContract, portMethods, TestClock, unique, type Fixture } from './support/contract';
import { standInWorld } from './support/stand-ins';

interface FoldersWorld extends Fixture<KnownFolders> {
  readonly clock: TestClock;
}

it('prefixesAbove lists the folders a key is in, outermost first', () => {
  expect(prefixesAbove('a/b/c.bin')).toEqual(['a/', 'a/b/']);
  expect(prefixesAbove('top.bin')).toEqual([]);
  expect(prefixesAbove('a/b/')).toEqual(['a/']);
});

portContract<KnownFolders, FoldersWorld>({
  port: 'KnownFolders',
  methods: portMethods<KnownFolders>()('remember', 'above', 'forget'),
  targets: [
    {
      name: 'fake',
      setUp: () => {
        const clock = new TestClock();
        return { port: new MemoryKnownFolders(clock.now), clock };
      },
    },
    {
      name: 'DynamoDB Local',
      setUp: async () => {
        const world = standInWorld('folders');
        const clock = new TestClock();
        const table = await world.table(TORRENT_TABLE_SCHEMA);
        return { port: new DynamoDbKnownFolders(world.clients.dynamoDb, table, clock.now), clock, dispose: world.dispose };
      },
    },
  ],
  tests: (world) => {
    it('finds the folders remembered above a key, with every variant asked for', async () => {
      const folders = world().port;
      const bucket = unique('b');
      await folders.remember(bucket, 'data/', 'v1');
      await folders.remember(bucket, 'data/', 'hybrid+private');
      await folders.remember(bucket, 'data/2024/', 'v1');
      await folders.remember(bucket, 'other/', 'v1');
      expect(await folders.above(bucket, 'data/2024/file.bin')).toEqual([
        { bucket, prefix: 'data/', variants: ['hybrid+private', 'v1'] },
        { bucket, prefix: 'data/2024/', variants: ['v1'] },
      ]);
      expect(await folders.above(bucket, 'data.bin')).toEqual([]);
      expect(await folders.above(`${bucket}-x`, 'data/2024/file.bin')).toEqual([]);
    });

    it('forgets a folder on request, and after a while without a build', async () => {
      const { port: folders, clock } = world();
      const bucket = unique('b');
      await folders.remember(bucket, 'data/', 'v1');
      await folders.remember(bucket, 'data/', 'hybrid+private');
      await folders.remember(bucket, 'data/2024/', 'v1');
      await folders.forget(bucket, 'data/2024/');
      expect((await folders.above(bucket, 'data/2024/file.bin')).map((f) => f.prefix)).toEqual(['data/']);
      clock.advance((KNOWN_FOLDER_DAYS + 1) * 86_400_000);
      expect(await folders.above(bucket, 'data/2024/file.bin')).toEqual([]);
      await folders.remember(bucket, 'data/', 'v2');
      expect(await folders.above(bucket, 'data/x')).toEqual([{ bucket, prefix: 'data/', variants: ['hybrid+private', 'v1', 'v2'] }]);
    });
  },
});
