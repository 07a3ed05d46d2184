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
  /** S3 in the function's own region. */
  readonly s3: S3Client;
  /** S3 in another region, for source buckets there (one client per region, made on first use). */
  readonly s3InRegion: (region: string) => S3Client;
  readonly dynamoDb: DynamoDBDocumentClient;
}

/** SDK clients, created once per Lambda container (or once per local server). */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const s3Client = (region: string) =>
    new S3Client({
      region,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.s3Endpoint ? { endpoint: options.s3Endpoint, forcePathStyle: true } : {}),
      // A bucket in another region answers 301 with its region; follow it rather than fail.
      followRegionRedirects: true,
      // Checksums only where S3 requires them: streamed uploads otherwise use aws-chunked framing,
      // which S3 stand-ins store inside the object.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const home = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const s3 = s3Client(home);
  const elsewhere = new Map<string, S3Client>([[home, s3]]);
  const s3InRegion = (region: string) => elsewhere.get(region) ?? elsewhere.set(region, s3Client(region)).get(region)!;
  return { s3, s3InRegion, dynamoDb: createDynamoDbClient(options) };
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
