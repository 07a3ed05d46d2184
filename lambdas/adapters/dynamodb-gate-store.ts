import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sameGate, type GateState, type OpenTicket } from '../core/gate/gate-policy';
import { GATE_TABLE_SCHEMA } from '../config/tables';
import type { GateStore } from '../ports/gate-store';

const PK = GATE_TABLE_SCHEMA.partitionKey;
const SK = GATE_TABLE_SCHEMA.sortKey;
const TTL = GATE_TABLE_SCHEMA.timeToLiveAttribute;
export const GATE_ENTRY = 'gate';

/** Lost races retried this often; each attempt is a consistent read and one conditional write. */
const ATTEMPTS = 6;

/** The gate table (GATE_TABLE_SCHEMA): one item per gated torrent, written conditionally on its version. */
export class DynamoDbGateStore implements GateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(gateKey: string): Promise<GateState | undefined> {
    return (await this.read(gateKey)).state;
  }

  async change(gateKey: string, decide: (current: GateState | undefined) => GateState | undefined): Promise<GateState | undefined> {
    for (let attempt = 1; ; attempt++) {
      const { state, version } = await this.read(gateKey);
      const next = decide(state);
      if (sameGate(state, next)) return state;
      try {
        await this.write(gateKey, next, version);
        return next;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException) || attempt >= ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  private async read(gateKey: string): Promise<{ state?: GateState; version?: number }> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key(gateKey), ConsistentRead: true }));
    const item = out.Item;
    if (item === undefined) return {};
    return { state: gateFromImage(item), version: Number(item.version ?? 0) };
  }

  private async write(gateKey: string, next: GateState | undefined, version: number | undefined): Promise<void> {
    const condition: {
      ConditionExpression: string;
      ExpressionAttributeNames: Record<string, string>;
      ExpressionAttributeValues?: Record<string, unknown>;
    } =
      version === undefined
        ? { ConditionExpression: 'attribute_not_exists(#sk)', ExpressionAttributeNames: { '#sk': SK } }
        : {
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': version },
          };
    if (next === undefined) {
      if (version === undefined) return;
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: key(gateKey), ...condition }));
      return;
    }
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...key(gateKey),
          open: next.open.map((t) => ({ id: t.id, since: t.since, ...(t.seenAt !== undefined ? { seenAt: t.seenAt } : {}) })),
          seeders: next.seeders,
          until: next.until,
          version: (version ?? 0) + 1,
          // DynamoDB deletes expired gates lazily (the delete reaches the edge through the stream);
          // until then the edge function ignores them by `until` anyway.
          [TTL]: next.until,
        },
        ...condition,
      }),
    );
  }
}

const key = (gateKey: string) => ({ [PK]: gateKey, [SK]: GATE_ENTRY });

function openTicket(item: Record<string, unknown>): OpenTicket {
  return {
    id: String(item.id),
    since: Number(item.since),
    ...(typeof item.seenAt === 'number' ? { seenAt: item.seenAt } : {}),
  };
}

/** The gate in a stream record's image (the publisher reads the same item layout). */
export function gateFromImage(image: Record<string, unknown>): GateState {
  const open = Array.isArray(image.open) ? (image.open as Record<string, unknown>[]).map(openTicket) : [];
  return { open, seeders: Number(image.seeders ?? 0), until: Number(image.until ?? 0) };
}
