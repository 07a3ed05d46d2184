import { startDynamoDbLocal } from '../../local/dynamodb';
import { startLocalS3 } from '../../local/s3';
import { beginRun } from './run-hygiene';

/**
 * One S3 stand-in and one DynamoDB Local for the whole run; each test file creates its own tables
 * and buckets on them (see test/support/service.ts), so files stay independent.
 */
export default async function globalSetup(): Promise<void> {
  beginRun();
  // Tests run on Node 20 by design; the SDK's notice about its future Node 22 floor is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const [s3, dynamoDb] = await Promise.all([startLocalS3(), startDynamoDbLocal()]);
  process.env.TEST_S3_ENDPOINT = s3.endpoint;
  process.env.TEST_DYNAMODB_ENDPOINT = dynamoDb.endpoint;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  (globalThis as { __standIns?: { stop(): Promise<void> }[] }).__standIns = [s3, dynamoDb];
}
