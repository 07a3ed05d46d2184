import { DynamoDbKnownFolders, KNOWN_FOLDER_DAYS } from '../../lambdas/adapters/dynamodb-known-folders';
import { TORRENT_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { prefixesAbove, type KnownFolders } from '../../lambdas/ports/known-folders';
import { MemoryKnownFolders } from '../support/folder-fakes';
import { createTestTable, testClients, uniqueSuffix } from '../support/service';

const clients = testClients();
const table = `folders-${uniqueSuffix()}`;

beforeAll(() => createTestTable(table, TORRENT_TABLE_SCHEMA));
afterAll(() => {
  clients.s3.destroy();
  clients.dynamoDb.destroy();
});

it('prefixesAbove lists the folders a key is in, outermost first', () => {
  expect(prefixesAbove('a/b/c.bin')).toEqual(['a/', 'a/b/']);
  expect(prefixesAbove('top.bin')).toEqual([]);
  expect(prefixesAbove('a/b/')).toEqual(['a/']);
});

function knownFoldersContract(name: string, make: (clock: () => Date) => KnownFolders) {
  describe(`${name} (KnownFolders contract)`, () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const folders = make(() => now);
    const bucket = `b-${name.toLowerCase()}`;

    it('finds the folders remembered above a key, with every variant asked for', async () => {
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
      await folders.forget(bucket, 'data/2024/');
      expect((await folders.above(bucket, 'data/2024/file.bin')).map((f) => f.prefix)).toEqual(['data/']);
      now = new Date(now.getTime() + (KNOWN_FOLDER_DAYS + 1) * 86_400_000);
      expect(await folders.above(bucket, 'data/2024/file.bin')).toEqual([]);
      await folders.remember(bucket, 'data/', 'v2');
      expect(await folders.above(bucket, 'data/x')).toEqual([{ bucket, prefix: 'data/', variants: ['hybrid+private', 'v1', 'v2'] }]);
    });
  });
}

knownFoldersContract('memory', (clock) => new MemoryKnownFolders(clock));
knownFoldersContract('DynamoDB', (clock) => new DynamoDbKnownFolders(clients.dynamoDb, table, clock));
