import {
  ConflictException,
  DescribeKeyValueStoreCommand,
  GetKeyCommand,
  PutKeyCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { CloudFrontKeyValueStore } from '../../lambdas/adapters/cloudfront-key-value-store';
import { KeyValueStoreLimitError, type KeyValueStore } from '../../lambdas/ports/key-value-store';
import { localKeyValueStoreClient, startLocalKeyValueStore, type LocalKeyValueStore } from '../../local/key-value-store';
import { MemoryKeyValueStore } from '../support/fakes';
import { portContract, portMethods, type Fixture } from './support/contract';

/** A second writer on the same store, for the ETag race. */
interface KvsWorld extends Fixture<KeyValueStore> {
  readonly second: KeyValueStore;
}

portContract<KeyValueStore, KvsWorld>({
  port: 'KeyValueStore',
  methods: portMethods<KeyValueStore>()('update', 'get'),
  targets: [
    {
      name: 'fake',
      setUp: () => {
        const store = new MemoryKeyValueStore();
        return { port: store, second: store };
      },
    },
    {
      name: 'the real SDK client (SigV4A, ETags) on the local KeyValueStore stand-in',
      setUp: async () => {
        const standIn = await startLocalKeyValueStore();
        const clients = [localKeyValueStoreClient(standIn.endpoint), localKeyValueStoreClient(standIn.endpoint)];
        return {
          port: new CloudFrontKeyValueStore(clients[0]!, standIn.arn),
          second: new CloudFrontKeyValueStore(clients[1]!, standIn.arn),
          dispose: async () => {
            for (const client of clients) client.destroy();
            await standIn.stop();
          },
        };
      },
    },
  ],
  tests: (world) => {
    it('gets what was put, overwrites, and answers undefined for absent keys', async () => {
      const store = world().port;
      expect(await store.get('a1')).toBeUndefined();
      await store.update({
        puts: [
          { key: 'a1', value: '1' },
          { key: 'b1', value: '2' },
        ],
        deletes: [],
      });
      await store.update({ puts: [{ key: 'a1', value: '3' }], deletes: [] });
      expect([await store.get('a1'), await store.get('b1')]).toEqual(['3', '2']);
    });

    it('deletes keys, absent ones included', async () => {
      const store = world().port;
      await store.update({ puts: [{ key: 'a2', value: '1' }], deletes: [] });
      await store.update({ puts: [], deletes: ['a2', 'never-there'] });
      expect(await store.get('a2')).toBeUndefined();
    });

    it('applies more changes than one update takes, in batches', async () => {
      const store = world().port;
      const puts = Array.from({ length: 120 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
      await store.update({ puts, deletes: [] });
      expect(await store.get('k0')).toBe('v0');
      expect(await store.get('k119')).toBe('v119');
    });

    it('refuses values over 1,024 characters and keys over 512, changing nothing', async () => {
      const store = world().port;
      const tooBig = {
        puts: [
          { key: 'ok', value: 'x' },
          { key: 'big', value: 'x'.repeat(1025) },
        ],
        deletes: [],
      };
      await expect(store.update(tooBig)).rejects.toThrow(KeyValueStoreLimitError);
      await expect(store.update({ puts: [{ key: 'k'.repeat(513), value: 'x' }], deletes: [] })).rejects.toThrow(KeyValueStoreLimitError);
      expect(await store.get('ok')).toBeUndefined();
      await store.update({ puts: [{ key: 'k'.repeat(512), value: 'x'.repeat(1024) }], deletes: [] });
      expect(await store.get('k'.repeat(512))).toHaveLength(1024);
    });

    it('lands concurrent writers’ updates (a stale ETag is retried)', async () => {
      const { port, second } = world();
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? port : second).update({ puts: [{ key: `c${i}`, value: String(i) }], deletes: [] }),
        ),
      );
      for (let i = 0; i < 12; i++) expect(await port.get(`c${i}`)).toBe(String(i));
    });
  },
});

describe('the local KeyValueStore stand-in, through the raw SDK client', () => {
  let standIn: LocalKeyValueStore;
  let client: ReturnType<typeof localKeyValueStoreClient>;
  beforeAll(async () => {
    standIn = await startLocalKeyValueStore();
    client = localKeyValueStoreClient(standIn.endpoint);
  });
  afterAll(async () => {
    client.destroy();
    await standIn.stop();
  });

  it('has ETag semantics: a write names the current ETag, each write makes a new one', async () => {
    const { ETag: first } = await client.send(new DescribeKeyValueStoreCommand({ KvsARN: standIn.arn }));
    const put = await client.send(new PutKeyCommand({ KvsARN: standIn.arn, Key: 'k', Value: 'v', IfMatch: first }));
    expect(put.ETag).not.toBe(first);
    expect(put).toMatchObject({ ItemCount: 1 });
    await expect(client.send(new PutKeyCommand({ KvsARN: standIn.arn, Key: 'k', Value: 'w', IfMatch: first }))).rejects.toThrow(
      ConflictException,
    );
    expect((await client.send(new GetKeyCommand({ KvsARN: standIn.arn, Key: 'k' }))).Value).toBe('v');
    await expect(client.send(new GetKeyCommand({ KvsARN: standIn.arn, Key: 'absent' }))).rejects.toThrow(ResourceNotFoundException);
    expect(standIn.data.get('k')).toBe('v');
  });

  it('refuses unsigned requests and unknown stores', async () => {
    expect((await fetch(`${standIn.endpoint}/key-value-stores/${encodeURIComponent(standIn.arn)}`)).status).toBe(403);
    await expect(
      client.send(new DescribeKeyValueStoreCommand({ KvsARN: 'arn:aws:cloudfront::000000000000:key-value-store/other' })),
    ).rejects.toThrow(ResourceNotFoundException);
  });
});
