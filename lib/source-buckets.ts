import { CfnOutput, Lazy, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct, type IConstruct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { parseSourceEntry, type AccessMode } from '../lambdas/config/sources';
import { isValidBucketName } from '../lambdas/endpoint/endpoint';

/** A bucket the service may serve torrents for, optionally limited to a key prefix. */
export interface SourceBucket {
  readonly bucketName: string;
  readonly prefix?: string;
  /** `private`: only with a signed link or IAM credentials (default `public`). */
  readonly access?: AccessMode;
  /** The customer-managed KMS key (key ARN) its objects are encrypted with: the readers get kms:Decrypt on it. */
  readonly kmsKeyArn?: string;
}

/** `@` then a KMS key ARN at the end of an entry (`@` is never part of a bucket name). */
const KMS_SUFFIX = /@(arn:[^@]*)$/;
/** Key ARNs only: IAM matches kms:Decrypt against the key's ARN, never against an alias. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/;

/**
 * Parses `[private:]bucket[/prefix][@kms-key-arn]` entries; the part before `@` is the syntax the
 * handlers' allowlist reads. Throws on a bucket name S3 would not allow or a malformed key ARN.
 */
export function parseSourceBuckets(entries: readonly string[]): SourceBucket[] {
  return entries
    .map((e) => e.trim())
    .filter((e) => e.length > 0)
    .map((entry) => {
      const kmsKeyArn = KMS_SUFFIX.exec(entry)?.[1];
      if (kmsKeyArn !== undefined && !KMS_KEY_ARN.test(kmsKeyArn)) {
        throw new Error(
          `${JSON.stringify(entry)}: ${kmsKeyArn} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; aliases cannot be granted kms:Decrypt)`,
        );
      }
      const e = parseSourceEntry(kmsKeyArn === undefined ? entry : entry.slice(0, -kmsKeyArn.length - 1));
      if (!isValidBucketName(e.bucket))
        throw new Error(`${JSON.stringify(entry)}: ${JSON.stringify(e.bucket)} is not a valid S3 bucket name`);
      return { bucketName: e.bucket, ...(e.prefix ? { prefix: e.prefix } : {}), access: e.access, ...(kmsKeyArn ? { kmsKeyArn } : {}) };
    });
}

/** The region of a KMS key ARN (an S3 bucket's SSE-KMS key is in the bucket's region). */
export const kmsKeyRegion = (keyArn: string): string => KMS_KEY_ARN.exec(keyArn)?.[1] ?? '';

export const sourceSpec = (sources: readonly SourceBucket[]) =>
  sources.map((s) => `${s.access === 'private' ? 'private:' : ''}${s.bucketName}${s.prefix ? `/${s.prefix}` : ''}`).join(',');

/**
 * Read access to exactly the configured objects, and the allowlist the handler enforces on top.
 * s3:ListBucket lets S3 answer 404 (not 403) for a missing key and lets HeadBucket tell a missing
 * bucket from a missing key (and report the bucket's region); it grants listing only, never reading.
 * Sources with a KMS key get kms:Decrypt on exactly that key, only through S3 and only for these
 * objects. The function's role is remembered for the cross-account bucket policy (SourceReaders).
 */
export function grantSourceRead(fn: LambdaFunction, sources: readonly SourceBucket[]): void {
  fn.addEnvironment(ENV.SOURCES, sourceSpec(sources));
  if (sources.length === 0) return;
  const partition = Stack.of(fn).partition;
  fn.addToRolePolicy(
    new PolicyStatement({ effect: Effect.ALLOW, actions: [...OBJECT_READ_ACTIONS], resources: objectArns(partition, sources) }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({ effect: Effect.ALLOW, actions: [BUCKET_LIST_ACTION], resources: bucketArns(partition, sources) }),
  );
  for (const [keyArn, encrypted] of byKmsKey(sources)) {
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['kms:Decrypt'],
        resources: [keyArn],
        conditions: {
          // Only when S3 asks on the function's behalf (a GetObject of an SSE-KMS object), never directly.
          StringEquals: { 'kms:ViaService': `s3.${kmsKeyRegion(keyArn)}.amazonaws.com` },
          // And only for these objects: S3 passes the object's ARN, or the bucket's with S3 Bucket Keys.
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [...objectArns(partition, encrypted), ...bucketArns(partition, encrypted)] },
        },
      }),
    );
  }
  if (fn.role) SourceReaders.of(fn).add(fn.role);
  for (const resource of new Set(sources.map((s) => `${s.bucketName}/${s.prefix ?? ''}*`))) {
    Validations.of(fn.role ?? fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${resource}]`,
      reason: 'Read-only access to the objects under a bucket/prefix the operator configured as a torrent source.',
    });
  }
}

const OBJECT_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'] as const;
const BUCKET_LIST_ACTION = 's3:ListBucket';
const objectArns = (partition: string, sources: readonly SourceBucket[]) => [
  ...new Set(sources.map((s) => `arn:${partition}:s3:::${s.bucketName}/${s.prefix ?? ''}*`)),
];
const bucketArns = (partition: string, sources: readonly SourceBucket[]) => [
  ...new Set(sources.map((s) => `arn:${partition}:s3:::${s.bucketName}`)),
];

function byKmsKey(sources: readonly SourceBucket[]): Map<string, SourceBucket[]> {
  const keys = new Map<string, SourceBucket[]>();
  for (const s of sources) if (s.kmsKeyArn) keys.set(s.kmsKeyArn, [...(keys.get(s.kmsKeyArn) ?? []), s]);
  return keys;
}

/**
 * The roles that read source buckets, collected by grantSourceRead: a bucket in another account
 * must also allow them in its bucket policy (IAM on this side is not enough across accounts).
 */
export class SourceReaders extends Construct {
  private readonly roles: IRole[] = [];

  static of(scope: IConstruct): SourceReaders {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(SOURCE_READERS_ID) as SourceReaders | undefined) ?? new SourceReaders(stack, SOURCE_READERS_ID);
  }

  add(role: IRole): void {
    if (!this.roles.includes(role)) this.roles.push(role);
  }

  /**
   * The bucket-policy statements a bucket in another account needs so these roles can read the
   * configured objects (the same actions and resources as the roles' own policies).
   */
  bucketPolicyStatements(sources: readonly SourceBucket[]): object[] {
    const partition = Stack.of(this).partition;
    const principal = { AWS: Lazy.list({ produce: () => this.roles.map((r) => r.roleArn) }) };
    return [
      {
        Sid: 'S3TorrentReadObjects',
        Effect: 'Allow',
        Principal: principal,
        Action: [...OBJECT_READ_ACTIONS],
        Resource: objectArns(partition, sources),
      },
      {
        Sid: 'S3TorrentListBucket',
        Effect: 'Allow',
        Principal: principal,
        Action: BUCKET_LIST_ACTION,
        Resource: bucketArns(partition, sources),
      },
    ];
  }
}

const SOURCE_READERS_ID = 'SourceReaders';

/**
 * One output per source bucket, `SourceBucketPolicy<Bucket>`: the JSON statements to add to that
 * bucket's policy when it belongs to another account (see docs/deploy.md).
 */
export function outputSourceBucketPolicies(stack: Stack, sources: readonly SourceBucket[]): CfnOutput[] {
  const readers = SourceReaders.of(stack);
  return [...bucketOutputIds('SourceBucketPolicy', sources)].map(
    ([bucket, id]) =>
      new CfnOutput(stack, id, {
        value: stack.toJsonString({ Statement: readers.bucketPolicyStatements(sources.filter((s) => s.bucketName === bucket)) }),
        description: `Bucket-policy statements for ${bucket} if it is in another account (merge into its policy's Statement list)`,
      }),
  );
}

/** One output id per source bucket: the prefix, then the bucket name in CamelCase (numbered where two collide). */
export function bucketOutputIds(prefix: string, sources: readonly SourceBucket[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const bucket of new Set(sources.map((s) => s.bucketName))) {
    const base = `${prefix}${bucket.replace(/(^|[^a-zA-Z0-9])([a-zA-Z0-9])/g, (_, _sep, c: string) => c.toUpperCase()).replace(/[^a-zA-Z0-9]/g, '')}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}${n}`;
    used.add(id);
    ids.set(bucket, id);
  }
  return ids;
}
