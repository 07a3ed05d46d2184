import type { TableSchema } from '../../../lambdas/config/tables';
import type { AwsClients } from '../../../lambdas/runtime/aws-clients';
import { createBucket, createTestTable, testClients, uniqueSuffix } from '../../support/service';

/**
 * A target's world on the stand-ins jest's global setup started (s3rver and DynamoDB Local): SDK
 * clients, and tables and buckets of its own, made on demand.
 */
export interface StandInWorld {
  readonly clients: AwsClients;
  table(schema: TableSchema): Promise<string>;
  bucket(): Promise<string>;
  dispose(): void;
}

export function standInWorld(label: string): StandInWorld {
  const clients = testClients();
  const suffix = uniqueSuffix();
  let n = 0;
  return {
    clients,
    async table(schema) {
      const name = `${label}-${suffix}-${n++}`;
      await createTestTable(name, schema);
      return name;
    },
    async bucket() {
      const name = `${label}-${suffix}-${n++}`.toLowerCase();
      await createBucket(clients, name);
      return name;
    },
    dispose() {
      clients.s3.destroy();
      clients.dynamoDb.destroy();
    },
  };
}
