import { Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { ENV } from '../lambdas/config/env';
import { parseSourceEntry, type AccessMode } from '../lambdas/config/sources';

/** A bucket the service may serve torrents for, optionally limited to a key prefix. */
export interface SourceBucket {
  readonly bucketName: string;
  readonly prefix?: string;
  /** `private`: only with a signed link or IAM credentials (default `public`). */
  readonly access?: AccessMode;
}

/** Parses `[private:]bucket[/prefix]` entries (the syntax the handlers' allowlist reads). */
export function parseSourceBuckets(entries: readonly string[]): SourceBucket[] {
  return entries
    .map((e) => e.trim())
    .filter((e) => e.length > 0)
    .map(parseSourceEntry)
    .map((e) => ({ bucketName: e.bucket, ...(e.prefix ? { prefix: e.prefix } : {}), access: e.access }));
}

export const sourceSpec = (sources: readonly SourceBucket[]) =>
  sources.map((s) => `${s.access === 'private' ? 'private:' : ''}${s.bucketName}${s.prefix ? `/${s.prefix}` : ''}`).join(',');

/**
 * Read access to exactly the configured objects, and the allowlist the handler enforces on top.
 * s3:ListBucket lets S3 answer 404 (not 403) for a missing key and lets HeadBucket tell a missing
 * bucket from a missing key; it grants listing only, never reading.
 */
export function grantSourceRead(fn: LambdaFunction, sources: readonly SourceBucket[]): void {
  fn.addEnvironment(ENV.SOURCES, sourceSpec(sources));
  if (sources.length === 0) return;
  const partition = Stack.of(fn).partition;
  fn.addToRolePolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [...new Set(sources.map((s) => `arn:${partition}:s3:::${s.bucketName}/${s.prefix ?? ''}*`))],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['s3:ListBucket'],
      resources: [...new Set(sources.map((s) => `arn:${partition}:s3:::${s.bucketName}`))],
    }),
  );
  for (const resource of new Set(sources.map((s) => `${s.bucketName}/${s.prefix ?? ''}*`))) {
    Validations.of(fn.role ?? fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${resource}]`,
      reason: 'Read-only access to the objects under a bucket/prefix the operator configured as a torrent source.',
    });
  }
}
