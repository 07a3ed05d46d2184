import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { gateChanges, makeGatePublisher, type GateStreamRecord } from '../../lambdas/gate/gate-publisher';
import { MemoryKeyValueStore } from '../support/fakes';

const NOW = 1_800_000_000;
const keys = (gateKey: string, entry = 'gate') => marshall({ gateKey, entry }) as Record<string, AttributeValue>;
const gate = (ids: string[], until = NOW + 100) =>
  marshall({ gateKey: 'k', entry: 'gate', open: ids.map((id) => ({ id, since: NOW })), seeders: 1, until, version: 3 }) as Record<
    string,
    AttributeValue
  >;
const put = (gateKey: string, image: Record<string, AttributeValue>): GateStreamRecord => ({
  eventName: 'MODIFY',
  dynamodb: { Keys: keys(gateKey), NewImage: image },
});
const remove = (gateKey: string): GateStreamRecord => ({ eventName: 'REMOVE', dynamodb: { Keys: keys(gateKey) } });

describe('the gate publisher (gate table stream → KeyValueStore)', () => {
  it('puts live gates as the edge reads them and deletes removed or expired ones', () => {
    expect(gateChanges([put('a', gate(['aaaaaaaa', 'bbbbbbbb'])), put('b', gate([], NOW - 1)), remove('c')], NOW)).toEqual({
      puts: [{ key: 'a', value: `1;${NOW + 100};aaaaaaaa,bbbbbbbb` }],
      deletes: ['b', 'c'],
    });
  });

  it('keeps the last record of each key in a batch and ignores items that are not gates', () => {
    const records = [
      put('a', gate(['aaaaaaaa'])),
      remove('a'),
      put('b', gate([])),
      put('b', gate(['cccccccc'])),
      { dynamodb: { Keys: keys('x', 'other') } },
    ];
    expect(gateChanges(records, NOW)).toEqual({ puts: [{ key: 'b', value: `1;${NOW + 100};cccccccc` }], deletes: ['a'] });
  });

  it('writes a batch as one update, and nothing for a batch with no gates', async () => {
    const kvs = new MemoryKeyValueStore();
    const publish = makeGatePublisher({ kvs, clock: () => new Date(NOW * 1000) });
    expect(await publish({ Records: [put('a', gate(['aaaaaaaa'])), put('b', gate(['bbbbbbbb']))] })).toEqual({ puts: 2, deletes: 0 });
    expect(kvs.updates).toBe(1);
    expect(await kvs.get('b')).toBe(`1;${NOW + 100};bbbbbbbb`);
    expect(await publish({ Records: [{ dynamodb: { Keys: keys('x', 'other') } }] })).toEqual({ puts: 0, deletes: 0 });
    expect(kvs.updates).toBe(1);
  });
});
