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

/**
 * The key-value store port's contract, run against the in-memory fake and against the real SDK
 * client (SigV4A, ETags) talking to the local KeyValueStore stand-in.
 */
const standIns: LocalKeyValueStore[] = [];
const clients: { destroy(): void }[] = [];
afterAll(async () => {
  for (const client of clients) client.destroy();
  for (const standIn of standIns) await standIn.stop();
});

async function sdkStore(): Promise<{ store: KeyValueStore; second: () => KeyValueStore }> {
  const standIn = await startLocalKeyValueStore();
  standIns.push(standIn);
  const adapter = () => {
    const client = localKeyValueStoreClient(standIn.endpoint);
    clients.push(client);
    return new CloudFrontKeyValueStore(client, standIn.arn);
  };
  return { store: adapter(), second: adapter };
}

async function memoryStore(): Promise<{ store: KeyValueStore; second: () => KeyValueStore }> {
  const store = new MemoryKeyValueStore();
  return { store, second: () => store };
}

describe.each([
  ['in-memory fake', memoryStore],
  ['CloudFront KeyValueStore adapter on the local stand-in', sdkStore],
])('key-value store contract: %s', (_name, make) => {
  it('gets what was put, overwrites, and answers undefined for absent keys', async () => {
    const { store } = await make();
    expect(await store.get('a')).toBeUndefined();
    await store.update({
      puts: [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ],
      deletes: [],
    });
    await store.update({ puts: [{ key: 'a', value: '3' }], deletes: [] });
    expect([await store.get('a'), await store.get('b')]).toEqual(['3', '2']);
  });

  it('deletes keys, absent ones included', async () => {
    const { store } = await make();
    await store.update({ puts: [{ key: 'a', value: '1' }], deletes: [] });
    await store.update({ puts: [], deletes: ['a', 'never-there'] });
    expect(await store.get('a')).toBeUndefined();
  });

  it('applies more changes than one update takes, in batches', async () => {
    const { store } = await make();
    const puts = Array.from({ length: 120 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await store.update({ puts, deletes: [] });
    expect(await store.get('k0')).toBe('v0');
    expect(await store.get('k119')).toBe('v119');
  });

  it('refuses values over 1,024 characters and keys over 512, changing nothing', async () => {
    const { store } = await make();
    await expect(
      store.update({
        puts: [
          { key: 'ok', value: 'x' },
          { key: 'big', value: 'x'.repeat(1025) },
        ],
        deletes: [],
      }),
    ).rejects.toThrow(KeyValueStoreLimitError);
    await expect(store.update({ puts: [{ key: 'k'.repeat(513), value: 'x' }], deletes: [] })).rejects.toThrow(KeyValueStoreLimitError);
    expect(await store.get('ok')).toBeUndefined();
    await store.update({ puts: [{ key: 'k'.repeat(512), value: 'x'.repeat(1024) }], deletes: [] });
    expect(await store.get('k'.repeat(512))).toHaveLength(1024);
  });

  it('lands concurrent writers’ updates (a stale ETag is retried)', async () => {
    const { store, second } = await make();
    const other = second();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? store : other).update({ puts: [{ key: `c${i}`, value: String(i) }], deletes: [] }),
      ),
    );
    for (let i = 0; i < 12; i++) expect(await store.get(`c${i}`)).toBe(String(i));
  });
});

describe('the local KeyValueStore stand-in, through the raw SDK client', () => {
  it('has ETag semantics: a write names the current ETag, each write makes a new one', async () => {
    const standIn = await startLocalKeyValueStore();
    standIns.push(standIn);
    const client = localKeyValueStoreClient(standIn.endpoint);
    clients.push(client);
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
    const standIn = await startLocalKeyValueStore();
    standIns.push(standIn);
    expect((await fetch(`${standIn.endpoint}/key-value-stores/${encodeURIComponent(standIn.arn)}`)).status).toBe(403);
    const client = localKeyValueStoreClient(standIn.endpoint);
    clients.push(client);
    await expect(
      client.send(new DescribeKeyValueStoreCommand({ KvsARN: 'arn:aws:cloudfront::000000000000:key-value-store/other' })),
    ).rejects.toThrow(ResourceNotFoundException);
  });
});
