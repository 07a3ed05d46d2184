import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface AwsClientOptions {
  /** Set for local stand-ins; unset on AWS. */
  readonly s3Endpoint?: string;
  readonly dynamoDbEndpoint?: string;
  readonly region?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface AwsClients {
  readonly s3: S3Client;
  readonly dynamoDb: DynamoDBDocumentClient;
}

/** SDK clients, created once per Lambda container (or once per local server). */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const common = {
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const s3 = new S3Client({
    ...common,
    ...(options.s3Endpoint ? { endpoint: options.s3Endpoint, forcePathStyle: true } : {}),
    // Checksums only where S3 requires them: streamed uploads otherwise use aws-chunked framing,
    // which S3 stand-ins store inside the object.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return { s3, dynamoDb: createDynamoDbClient(options) };
}

/** The DynamoDB document client alone, for functions that use nothing else (the S3 client stays out of their bundle). */
export function createDynamoDbClient(options: AwsClientOptions = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.dynamoDbEndpoint ? { endpoint: options.dynamoDbEndpoint } : {}),
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}
