import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { encodeGateValue } from '../core/gate/gate-value';
import { gateFromImage, GATE_ENTRY } from '../adapters/dynamodb-gate-store';
import { GATE_TABLE_SCHEMA } from '../config/tables';
import type { KeyValueChanges, KeyValueStore } from '../ports/key-value-store';

/** The part of a DynamoDB stream record the publisher reads (Lambda's event and GetRecords share it). */
export interface GateStreamRecord {
  readonly eventName?: string;
  readonly dynamodb?: {
    readonly Keys?: Record<string, AttributeValue>;
    readonly NewImage?: Record<string, AttributeValue>;
  };
}

export interface GatePublisherDeps {
  readonly kvs: KeyValueStore;
  readonly clock?: () => Date;
}

export interface PublishOutcome {
  readonly puts: number;
  readonly deletes: number;
}

/**
 * Copies gate changes from the gate table's stream to the edge's key-value store: a live gate is
 * put under its gate key, a deleted or expired one is deleted (idle torrents leave the store, which
 * has a 5 MB ceiling). A batch becomes one set of changes, the last record of each key winning;
 * a failure throws, so the stream delivers the batch again (the changes are idempotent).
 */
export function makeGatePublisher(deps: GatePublisherDeps) {
  return async (event: { readonly Records: readonly GateStreamRecord[] }): Promise<PublishOutcome> => {
    const changes = gateChanges(event.Records, Math.floor((deps.clock ?? (() => new Date()))().getTime() / 1000));
    if (changes.puts.length + changes.deletes.length > 0) await deps.kvs.update(changes);
    return { puts: changes.puts.length, deletes: changes.deletes.length };
  };
}

export function gateChanges(records: readonly GateStreamRecord[], nowSeconds: number): KeyValueChanges {
  const last = new Map<string, string | undefined>();
  for (const record of records) {
    const keys = record.dynamodb?.Keys;
    const gateKey = keys?.[GATE_TABLE_SCHEMA.partitionKey]?.S;
    if (gateKey === undefined || keys?.[GATE_TABLE_SCHEMA.sortKey]?.S !== GATE_ENTRY) continue;
    const image = record.eventName === 'REMOVE' ? undefined : record.dynamodb?.NewImage;
    const gate = image && gateFromImage(unmarshall(image));
    last.set(gateKey, gate !== undefined && gate.until > nowSeconds ? encodeGateValue(gate) : undefined);
  }
  const puts: { key: string; value: string }[] = [];
  const deletes: string[] = [];
  for (const [key, value] of last) {
    if (value === undefined) deletes.push(key);
    else puts.push({ key, value });
  }
  return { puts, deletes };
}
