import { DynamoDbGateStore } from '../../lambdas/adapters/dynamodb-gate-store';
import type { GateState } from '../../lambdas/core/gate/gate-policy';
import { GATE_TABLE_SCHEMA } from '../../lambdas/config/tables';
import type { GateStore } from '../../lambdas/ports/gate-store';
import { MemoryGateStore } from '../support/fakes';
import { createTestTable, testClients, uniqueSuffix } from '../support/service';

/** The gate store's contract, on the fake and on DynamoDB Local. */
const clients = testClients();
afterAll(() => clients.dynamoDb.destroy());

async function dynamoDbStore(): Promise<GateStore> {
  const table = `gates-${uniqueSuffix()}`;
  await createTestTable(table, GATE_TABLE_SCHEMA);
  return new DynamoDbGateStore(clients.dynamoDb, table);
}

const gate = (ids: string[], until = 2_000_000_000): GateState => ({
  open: ids.map((id, i) => ({ id, since: 1_800_000_000 + i, ...(i % 2 === 0 ? { seenAt: 1_800_000_100 } : {}) })),
  seeders: 2,
  until,
});

describe.each([
  ['in-memory fake', async (): Promise<GateStore> => new MemoryGateStore()],
  ['DynamoDB Local', dynamoDbStore],
])('gate store contract: %s', (_name, make) => {
  it('stores what decide returns, passes decide the current gate, and deletes on undefined', async () => {
    const store = await make();
    const seen: (GateState | undefined)[] = [];
    expect(await store.change('k1', (current) => (seen.push(current), gate(['aaaaaaaa'])))).toEqual(gate(['aaaaaaaa']));
    expect(await store.get('k1')).toEqual(gate(['aaaaaaaa']));
    await store.change('k1', (current) => (seen.push(current), gate(['aaaaaaaa', 'bbbbbbbb'])));
    expect(seen).toEqual([undefined, gate(['aaaaaaaa'])]);
    expect(await store.get('k1')).toEqual(gate(['aaaaaaaa', 'bbbbbbbb']));
    expect(await store.change('k1', () => undefined)).toBeUndefined();
    expect(await store.get('k1')).toBeUndefined();
    expect(await store.change('k1', () => undefined)).toBeUndefined();
  });

  it('keeps gates of different torrents apart', async () => {
    const store = await make();
    await store.change('k1', () => gate(['aaaaaaaa']));
    await store.change('k2', () => gate([]));
    expect(await store.get('k1')).toEqual(gate(['aaaaaaaa']));
    expect(await store.get('k2')).toEqual(gate([]));
  });

  it('loses no concurrent change: each decision sees the one before it', async () => {
    const store = await make();
    const ids = ['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd', 'eeeeeeee', 'ffffffff'];
    await Promise.all(
      ids.map((id) => store.change('k3', (current) => ({ ...(current ?? gate([])), open: [...(current?.open ?? []), { id, since: 1 }] }))),
    );
    expect((await store.get('k3'))?.open.map((t) => t.id).sort()).toEqual(ids);
  });
});
