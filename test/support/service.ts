import { randomBytes } from 'node:crypto';
import { PutObjectCommand, CreateBucketCommand } from '@aws-sdk/client-s3';
import { startLocalService, type LocalService, type LocalServiceOptions } from '../../local/local-service';
import { createAwsClients, type AwsClients } from '../../lambdas/runtime/aws-clients';
import { LOCAL_CREDENTIALS } from '../../local/s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../local/tables';
import type { TableSchema } from '../../lambdas/config/tables';

/** A short random suffix so every test file gets its own tables and buckets on the shared stand-ins. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

export function standInEndpoints(): { s3Endpoint: string; dynamoDbEndpoint: string } {
  const s3Endpoint = process.env.TEST_S3_ENDPOINT;
  const dynamoDbEndpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!s3Endpoint || !dynamoDbEndpoint) throw new Error('the stand-ins were not started: run the tests through jest (npm test)');
  return { s3Endpoint, dynamoDbEndpoint };
}

export function testClients(): AwsClients {
  const { s3Endpoint, dynamoDbEndpoint } = standInEndpoints();
  return createAwsClients({ s3Endpoint, dynamoDbEndpoint, credentials: LOCAL_CREDENTIALS, region: 'us-east-1' });
}

/** The local service (HTTP API and handlers) on the shared stand-ins, with its own tables and buckets. */
export async function startTestService(
  options: LocalServiceOptions & { bucket?: string } = {},
): Promise<LocalService & { bucket: string }> {
  const suffix = uniqueSuffix();
  const bucket = options.bucket ?? `objects-${suffix}`;
  const service = await startLocalService({
    ...standInEndpoints(),
    names: {
      torrentTable: `torrents-${suffix}`,
      swarmTable: `swarm-${suffix}`,
      metadataBucket: `metadata-${suffix}`,
      gateTable: `gates-${suffix}`,
    },
    createBuckets: [bucket],
    logLevel: 'SILENT',
    ...options,
  });
  return { ...service, bucket };
}

export async function putObject(clients: AwsClients, bucket: string, key: string, body: Uint8Array): Promise<void> {
  await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export async function createBucket(clients: AwsClients, bucket: string): Promise<void> {
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Deterministic pseudo-random bytes (so failures reproduce), fast enough for hundreds of MB. */
export function testBytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeInt32LE(x | 0, i);
  }
  for (let i = size - (size % 4); i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Creates a table on the shared DynamoDB Local with the schema the stack gives it. */
export async function createTestTable(tableName: string, schema: TableSchema): Promise<void> {
  // DynamoDB Local namespaces tables by access key: the same credentials as every other client.
  const raw = new DynamoDBClient({ endpoint: standInEndpoints().dynamoDbEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  try {
    await ensureTable(raw, tableName, schema);
  } finally {
    raw.destroy();
  }
}
