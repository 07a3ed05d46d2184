import { CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableSchema } from '../lambdas/config/tables';

/** Creates a table with the schema the CDK stack gives it (string keys, on-demand, TTL, stream), if missing. */
export async function ensureTable(client: DynamoDBClient, tableName: string, schema: TableSchema): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (err) {
    if ((err as Error).name !== 'ResourceNotFoundException') throw err;
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: schema.partitionKey, AttributeType: 'S' },
        { AttributeName: schema.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: schema.partitionKey, KeyType: 'HASH' },
        { AttributeName: schema.sortKey, KeyType: 'RANGE' },
      ],
      ...(schema.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: schema.stream } } : {}),
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: schema.timeToLiveAttribute, Enabled: true },
    }),
  );
}
