import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/shared/env';
import { SWARM_TABLE_SCHEMA, TORRENT_TABLE_SCHEMA, type TableSchema } from '../lambdas/shared/tables';

/**
 * The service's own state: the torrent cache table, the tracker's swarm table and the bucket for
 * metadata too large for an item. Grant methods set the environment variable and the IAM
 * permission together, so a function never gets one without the other.
 */
export class TorrentStorage extends Construct {
  readonly torrentTable: TableV2;
  readonly swarmTable: TableV2;
  readonly metadataBucket: Bucket;

  constructor(scope: Construct, id: string, props: { removalPolicy?: RemovalPolicy } = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.torrentTable = table(this, 'TorrentTable', TORRENT_TABLE_SCHEMA, removalPolicy);
    this.swarmTable = table(this, 'SwarmTable', SWARM_TABLE_SCHEMA, removalPolicy);
    this.metadataBucket = new Bucket(this, 'MetadataBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
  }

  /** Read and write the torrent cache (table, and metadata bucket for large info dicts). */
  grantTorrentCache(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.TORRENT_TABLE, this.torrentTable.tableName);
    fn.addEnvironment(ENV.METADATA_BUCKET, this.metadataBucket.bucketName);
    this.torrentTable.grantReadWriteData(fn);
    this.metadataBucket.grantReadWrite(fn);
  }

  /** Register built torrents with the tracker (write the registration items only). */
  grantTorrentRegistry(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.SWARM_TABLE, this.swarmTable.tableName);
    this.swarmTable.grantWriteData(fn as IGrantable);
  }

  /**
   * Run the tracker: read registrations and peers, write and delete peers, count downloads. Exactly
   * the item actions it uses, so it can never Scan the table.
   */
  grantSwarm(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.SWARM_TABLE, this.swarmTable.tableName);
    this.swarmTable.grant(
      fn,
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:UpdateItem',
    );
  }
}

function table(scope: Construct, id: string, schema: TableSchema, removalPolicy: RemovalPolicy): TableV2 {
  return new TableV2(scope, id, {
    partitionKey: { name: schema.partitionKey, type: AttributeType.STRING },
    sortKey: { name: schema.sortKey, type: AttributeType.STRING },
    timeToLiveAttribute: schema.timeToLiveAttribute,
    billing: Billing.onDemand(),
    encryption: TableEncryptionV2.awsManagedKey(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy,
  });
}
