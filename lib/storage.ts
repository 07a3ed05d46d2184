import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { CACHE_INFO_PREFIX, SWARM_TABLE_SCHEMA, TORRENT_TABLE_SCHEMA, type TableSchema } from '../lambdas/config/tables';

/**
 * The service's own state: the torrent cache table, the tracker's swarm table and the bucket for
 * metadata too large for an item. Grant methods set the environment variable and the IAM
 * permission together, so a function never gets one without the other.
 */
export class TorrentStorage extends Construct {
  readonly torrentTable: TableV2;
  readonly swarmTable: TableV2;
  readonly metadataBucket: Bucket;
  /** The key that signs links to private objects and announce tokens. */
  readonly signingSecret: Secret;

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
    this.signingSecret = new Secret(this, 'SigningSecret', {
      description: 's3-torrent: HMAC key for signed links to private objects and private announce tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    Validations.of(this.signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the key invalidates every signed link and private torrent already handed out, so it is rotated by the operator (put a new value), not on a schedule.',
    });
    Validations.of(this.metadataBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Holds only data this service derives (info dicts, chunk hashes), read and written by its own roles; not worth a log bucket.',
    });
  }

  /**
   * Read, publish and evict cached torrents (table, and metadata bucket for large info dicts); the
   * build leases and job records live in the same table.
   */
  grantTorrentCache(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.TORRENT_TABLE, this.torrentTable.tableName);
    fn.addEnvironment(ENV.METADATA_BUCKET, this.metadataBucket.bucketName);
    this.torrentTable.grantReadWriteData(fn);
    this.grantMetadataObjects(fn, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], { prefix: CACHE_INFO_PREFIX });
    // A missing info object must read as 404 NoSuchKey, which the cache treats as a miss (and
    // rebuilds). S3 answers 404 only to a caller with s3:ListBucket on the bucket, else 403
    // AccessDenied. The grant has no s3:prefix condition: a GetObject carries no prefix, and S3
    // documents the 404 only for the permission on the bucket. Listing shows nothing these roles
    // cannot already read: the bucket holds only what the service derives. A 403 stays an error
    // rather than a miss, so a real permission fault is reported instead of rebuilding forever.
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.metadataBucket.bucketArn] }));
  }

  /**
   * Object-level access to the metadata bucket (or one prefix of it), with the exact actions (no
   * `s3:*Object*` wildcards); `list` adds s3:ListBucket limited to the same prefix.
   */
  grantMetadataObjects(fn: LambdaFunction, actions: string[], options: { prefix?: string; list?: boolean } = {}): void {
    const prefix = options.prefix ?? '';
    fn.addToRolePolicy(new PolicyStatement({ actions, resources: [this.metadataBucket.arnForObjects(`${prefix}*`)] }));
    if (options.list) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [this.metadataBucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
        }),
      );
    }
    Validations.of(fn.role ?? fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.metadataBucket.node.defaultChild as CfnBucket)}.Arn>/${prefix}*]`,
      reason: "Objects of the service's own metadata bucket, whose keys are derived at run time (infohashes, job ids).",
    });
  }

  /** Read the link-signing key (at cold start). */
  grantSigningKey(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.SIGNING_SECRET_ARN, this.signingSecret.secretArn);
    this.signingSecret.grantRead(fn);
  }

  /**
   * Register published torrents with the tracker: the registration items are written by an Update
   * inside the publish transaction (TransactWriteItems is authorized per action, as UpdateItem), so
   * UpdateItem is all a publisher may do on the swarm table. The cache side is grantTorrentCache.
   */
  grantTorrentRegistry(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.SWARM_TABLE, this.swarmTable.tableName);
    this.swarmTable.grant(fn, 'dynamodb:UpdateItem');
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
