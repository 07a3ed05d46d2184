import { BatchWriteCommand, paginateQuery, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** One write of a BatchWriteItem request: a put of an item, or a delete by key. */
export type BatchWrite = { PutRequest: { Item: object } } | { DeleteRequest: { Key: Record<string, unknown> } };

/** BatchWriteItem takes at most 25 writes per request. */
const MAX_BATCH = 25;

/**
 * Writes every request to one table, 25 per BatchWriteItem. DynamoDB may leave writes unprocessed
 * under throttling: those are sent again, after a short back-off, until none are left.
 */
export async function batchWriteAll(db: DynamoDBDocumentClient, tableName: string, writes: readonly BatchWrite[]): Promise<void> {
  for (let i = 0; i < writes.length; i += MAX_BATCH) {
    let requests = writes.slice(i, i + MAX_BATCH);
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: [...requests] } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as BatchWrite[];
    }
  }
}

/** Every item a query matches, over all its pages (the SDK's own paginator). */
export async function queryAll<T>(db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateQuery({ client: db }, input)) items.push(...((page.Items ?? []) as T[]));
  return items;
}
