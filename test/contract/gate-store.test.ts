import { DynamoDbGateStore } from '../../lambdas/adapters/dynamodb-gate-store';
import type { GateState } from '../../lambdas/core/gate/gate-policy';
import { GATE_TABLE_SCHEMA } from '../../lambdas/config/tables';
import type { GateStore } from '../../lambdas/ports/gate-store';
import { MemoryGateStore } from '../support/fakes';
import { portContract, portMethods } from './support/contract';
import { standInWorld } from './support/stand-ins';

const gate = (ids: string[], until = 2_000_000_000): GateState => ({
  open: ids.map((id, i) => ({ id, since: 1_800_000_000 + i, ...(i % 2 === 0 ? { seenAt: 1_800_000_100 } : {}) })),
  seeders: 2,
  until,
});

portContract<GateStore, { port: GateStore; dispose?: () => void }>({
  port: 'GateStore',
  methods: portMethods<GateStore>()('change', 'get'),
  targets: [
    { name: 'fake', setUp: () => ({ port: new MemoryGateStore() }) },
    {
      name: 'DynamoDB Local',
      setUp: async () => {
        const world = standInWorld('gates');
        return { port: new DynamoDbGateStore(world.clients.dynamoDb, await world.table(GATE_TABLE_SCHEMA)), dispose: world.dispose };
      },
    },
  ],
  tests: (world) => {
    it('stores what decide returns, passes decide the current gate, and deletes on undefined', async () => {
      const store = world().port;
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
      const store = world().port;
      await store.change('k2', () => gate(['aaaaaaaa']));
      await store.change('k3', () => gate([]));
      expect(await store.get('k2')).toEqual(gate(['aaaaaaaa']));
      expect(await store.get('k3')).toEqual(gate([]));
    });

    it('loses no concurrent change: each decision sees the one before it', async () => {
      const store = world().port;
      const ids = ['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd', 'eeeeeeee', 'ffffffff'];
      await Promise.all(
        ids.map((id) =>
          store.change('k4', (current) => ({ ...(current ?? gate([])), open: [...(current?.open ?? []), { id, since: 1 }] })),
        ),
      );
      expect((await store.get('k4'))?.open.map((t) => t.id).sort()).toEqual(ids);
    });
  },
});
