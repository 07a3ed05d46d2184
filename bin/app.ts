/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`). Configuration comes from context, in cdk.json or
 * on the command line, e.g. `npx cdk deploy -c s3-torrent:sourceBuckets=my-bucket,other/public/`.
 * cdk-nag's AWS Solutions rules run on every synth: a finding fails it unless acknowledged in code.
 */
import { readFileSync } from 'node:fs';
import { App, Duration, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { S3TorrentStack } from '../lib/s3-torrent-stack';
import { parseSourceBuckets } from '../lib/source-buckets';
import { WEB_SEED_MODES, type WebSeedMode } from '../lambdas/config/env';

const app = new App();
const context = (name: string): unknown => app.node.tryGetContext(`s3-torrent:${name}`);
const text = (name: string): string | undefined => {
  const value = context(name);
  return value === undefined || value === '' ? undefined : String(value);
};
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : []);
const positive = (name: string): number | undefined => {
  const value = text(name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new Error(`context s3-torrent:${name} must be a positive whole number, got ${JSON.stringify(value)}`);
  return n;
};

const ttl = positive('presignedUrlTtlSeconds');
const domainName = text('domainName');
const certificateArn = text('certificateArn');
if ((domainName === undefined) !== (certificateArn === undefined)) {
  throw new Error('context s3-torrent:domainName and s3-torrent:certificateArn go together');
}
const rateLimit = positive('throttleRateLimit');
const burstLimit = positive('throttleBurstLimit');

const announceInterval = positive('announceIntervalSeconds');
const minAnnounceInterval = positive('minAnnounceIntervalSeconds');

const eventSources = parseSourceBuckets(list(context('eventSources')));

const seconds = (name: string) => {
  const value = positive(name);
  return value === undefined ? undefined : Duration.seconds(value);
};
const webSeedMode = text('webSeed') ?? 'cloudfront';
if (!WEB_SEED_MODES.includes(webSeedMode as WebSeedMode)) {
  throw new Error(`context s3-torrent:webSeed must be ${WEB_SEED_MODES.join(' or ')}, got ${JSON.stringify(webSeedMode)}`);
}
// An existing CloudFront key pair: the secret with its private key, and the public key (a PEM file).
const webSeedKeySecretArn = text('webSeedKeySecretArn');
const webSeedPublicKeyFile = text('webSeedPublicKeyFile');
if ((webSeedKeySecretArn === undefined) !== (webSeedPublicKeyFile === undefined)) {
  throw new Error('context s3-torrent:webSeedKeySecretArn and s3-torrent:webSeedPublicKeyFile go together');
}

// The swarm-aware web seed (docs/web-seed.md): on by default in cloudfront mode.
const webSeedGate = text('webSeedGate') ?? 'on';
if (!['on', 'off'].includes(webSeedGate))
  throw new Error(`context s3-torrent:webSeedGate must be on or off, got ${JSON.stringify(webSeedGate)}`);
const gateFeeds = positive('webSeedGateFeeds');
const gateSeeders = positive('webSeedGateSeeders');

new S3TorrentStack(app, text('stackName') ?? 'S3Torrent', {
  sources: parseSourceBuckets(list(context('sourceBuckets'))),
  inlineHashLimitBytes: positive('inlineHashLimitBytes'),
  presignedUrlTtl: ttl === undefined ? undefined : Duration.seconds(ttl),
  webSeedMode: webSeedMode as WebSeedMode,
  privateWebSeedTtl: seconds('privateWebSeedTtlSeconds'),
  webSeedCacheTtl: seconds('webSeedCacheTtlSeconds'),
  webSeedKey:
    webSeedKeySecretArn && webSeedPublicKeyFile
      ? { secretArn: webSeedKeySecretArn, publicKeyPem: readFileSync(webSeedPublicKeyFile, 'utf8') }
      : undefined,
  webSeedKeyGeneration: text('webSeedKeyGeneration'),
  webSeedGate:
    webSeedGate === 'off'
      ? false
      : { ...(gateFeeds !== undefined ? { feeds: gateFeeds } : {}), ...(gateSeeders !== undefined ? { seedersToGate: gateSeeders } : {}) },
  customDomain: domainName && certificateArn ? { domainName, certificateArn } : undefined,
  throttle: rateLimit || burstLimit ? { rateLimit: rateLimit ?? 1000, burstLimit: burstLimit ?? 2000 } : undefined,
  alarmTopicArn: text('alarmTopicArn'),
  announceInterval: announceInterval === undefined ? undefined : Duration.seconds(announceInterval),
  minAnnounceInterval: minAnnounceInterval === undefined ? undefined : Duration.seconds(minAnnounceInterval),
  trustAnnounceIpHints: [true, 'true'].includes(context('trustAnnounceIpHints') as string | boolean),
  hashConcurrency: positive('hashConcurrency'),
  minChunkBytes: positive('minChunkBytes'),
  eventSources,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
