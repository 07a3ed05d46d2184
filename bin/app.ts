/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`). Configuration comes from context, in cdk.json or
 * on the command line, e.g. `npx cdk deploy -c s3-torrent:sourceBuckets=my-bucket,other/public/`.
 */
import { App, Duration } from 'aws-cdk-lib';
import { S3TorrentStack } from '../lib/s3-torrent-stack';
import { parseSourceBuckets } from '../lib/source-buckets';

const app = new App();
const context = (name: string): unknown => app.node.tryGetContext(`s3-torrent:${name}`);
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : []);
const optionalNumber = (name: string): number | undefined => {
  const value = context(name);
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`context s3-torrent:${name} must be a positive whole number, got ${JSON.stringify(value)}`);
  return n;
};

const ttl = optionalNumber('presignedUrlTtlSeconds');
const eventSources = parseSourceBuckets(list(context('eventSources')));
new S3TorrentStack(app, String(context('stackName') ?? 'S3Torrent'), {
  sources: parseSourceBuckets(list(context('sourceBuckets'))),
  inlineHashLimitBytes: optionalNumber('inlineHashLimitBytes'),
  presignedUrlTtl: ttl === undefined ? undefined : Duration.seconds(ttl),
  publicBaseUrl: context('publicBaseUrl') as string | undefined,
  hashConcurrency: optionalNumber('hashConcurrency'),
  minChunkBytes: optionalNumber('minChunkBytes'),
  eventSources,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
