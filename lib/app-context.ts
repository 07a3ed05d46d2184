/**
 * The CDK app's configuration: every `s3-torrent:*` context key, declared and validated in this one
 * place (with `-c s3-torrent:key=value` or in cdk.json). Settings the Lambdas also read use the
 * Lambdas' own schemas (SETTING), so a value a cold start would refuse fails `cdk synth` instead.
 * To add a key: declare it in CONTEXT_KEYS, turn it into stack props in stackPropsFromContext, and
 * document it in docs/deploy.md (a test checks that every declared key is documented).
 */
import { readFileSync } from 'node:fs';
import { Duration } from 'aws-cdk-lib';
import * as z from 'zod/mini';
import { problemsOf, SETTING } from '../lambdas/config/config';
import type { S3TorrentStackProps } from './s3-torrent-stack';
import { parseSourceBuckets, type SourceBucket } from './source-buckets';

export const CONTEXT_PREFIX = 's3-torrent:';

const positiveInt = () => z.coerce.number().check(z.int({ error: 'must be a whole number' }), z.positive({ error: 'must be positive' }));
/** A list in cdk.json, or comma-separated on the command line. */
const list = () =>
  z.pipe(
    z.union([z.string(), z.array(z.string())], { error: 'must be a list or a comma-separated string' }),
    z.transform((value) => (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter((s) => s.length > 0)),
  );
/** `true`/`false` in cdk.json, or the text on the command line (`true`, `false`, `yes`, `no`, `1`, `0`...). */
const flag = () => z.union([z.boolean(), SETTING.trustAnnounceIpHints], { error: 'must be true or false' });
const arn = (service: string) =>
  z.string().check(z.regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), { error: `must be an ${service} ARN (arn:aws:${service}:...)` }));

/** Every context key the app reads (without the `s3-torrent:` prefix). All are optional. */
export const CONTEXT_KEYS = {
  stackName: z
    .string()
    .check(z.regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { error: 'must start with a letter and hold only letters, digits and hyphens' })),
  sourceBuckets: list(),
  eventSources: list(),
  /** `true` (every event-source bucket) or the buckets whose EventBridge delivery the stack switches on. */
  enableEventBridge: z.union([flag(), list()]),
  inlineHashLimitBytes: SETTING.inlineHashLimitBytes,
  presignedUrlTtlSeconds: SETTING.presignedUrlTtlSeconds,
  /** `cloudfront` (default) or `presigned`: where torrents' web seeds point (docs/web-seed.md). */
  webSeed: SETTING.webSeedMode,
  privateWebSeedTtlSeconds: SETTING.privateWebSeedTtlSeconds,
  webSeedCacheTtlSeconds: positiveInt(),
  /** An existing CloudFront key pair: the secret holding its PEM private key, and a file with its PEM public key. */
  webSeedKeySecretArn: arn('secretsmanager'),
  webSeedPublicKeyFile: z.string().check(z.minLength(1)),
  webSeedKeyGeneration: z
    .string()
    .check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'must be 1-64 letters, digits, dots, dashes or underscores' })),
  /** `on` (default) or `off`: the swarm-aware web seed in cloudfront mode (docs/web-seed.md). */
  webSeedGate: SETTING.webSeedGate,
  webSeedGateFeeds: SETTING.webSeedGateFeeds,
  webSeedGateSeeders: SETTING.webSeedGateSeeders,
  domainName: z
    .string()
    .check(z.regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { error: 'must be a lower-case DNS name' })),
  certificateArn: arn('acm'),
  hostedZoneId: z.string().check(z.regex(/^Z[A-Z0-9]{4,32}$/, { error: 'must be a Route 53 hosted zone id (Z...)' })),
  hostedZoneName: z.string().check(z.regex(/^([a-z0-9-]+\.)*[a-z0-9-]+\.?$/, { error: 'must be the DNS name of the hosted zone' })),
  throttleRateLimit: positiveInt(),
  throttleBurstLimit: positiveInt(),
  alarmTopicArn: arn('sns'),
  announceIntervalSeconds: SETTING.announceIntervalSeconds,
  minAnnounceIntervalSeconds: SETTING.minAnnounceIntervalSeconds,
  trustAnnounceIpHints: flag(),
  hashConcurrency: SETTING.hashConcurrency,
  minChunkBytes: SETTING.minChunkBytes,
  endpointReservedConcurrency: positiveInt(),
  trackerReservedConcurrency: positiveInt(),
};

export type ContextKey = keyof typeof CONTEXT_KEYS;
export type AppContext = { -readonly [K in ContextKey]?: z.infer<(typeof CONTEXT_KEYS)[K]> };

/** Bad configuration: every problem found, one per line, each naming its context key. */
export class ContextError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid s3-torrent configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ContextError';
  }
}

/** Reads the `s3-torrent:*` keys of the CDK context; unknown keys (typos) are errors too. */
export function readAppContext(context: Record<string, unknown>): AppContext {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(context)) {
    if (!name.startsWith(CONTEXT_PREFIX)) continue;
    const key = name.slice(CONTEXT_PREFIX.length);
    if (!(key in CONTEXT_KEYS)) {
      problems.push(`${name}: unknown context key (known: ${Object.keys(CONTEXT_KEYS).join(', ')})`);
      continue;
    }
    // An empty value (`-c s3-torrent:key=`) means unset, as leaving the key out does.
    if (value !== undefined && value !== null && value !== '') raw[key] = value;
  }
  const result = z.partial(z.object(CONTEXT_KEYS)).safeParse(raw);
  if (!result.success) problems.push(...problemsOf(result.error).map((p) => `${CONTEXT_PREFIX}${p}`));
  if (problems.length > 0) throw new ContextError(problems);
  return result.data as AppContext;
}

export interface AppConfig {
  readonly stackName: string;
  readonly props: Omit<S3TorrentStackProps, 'env'>;
}

/** The stack's props from the CDK context: readAppContext plus the rules that tie keys together. */
export function appConfigFromContext(context: Record<string, unknown>): AppConfig {
  return stackPropsFromContext(readAppContext(context));
}

export function stackPropsFromContext(ctx: AppContext): AppConfig {
  const problems: string[] = [];
  const key = (name: ContextKey) => `${CONTEXT_PREFIX}${name}`;
  const sources = (name: 'sourceBuckets' | 'eventSources'): SourceBucket[] => {
    try {
      return parseSourceBuckets(ctx[name] ?? []);
    } catch (err) {
      problems.push(`${key(name)}: ${(err as Error).message}`);
      return [];
    }
  };
  const sourceBuckets = sources('sourceBuckets');
  const eventSources = sources('eventSources');
  for (const e of eventSources) {
    if (e.kmsKeyArn) problems.push(`${key('eventSources')}: give the KMS key in sourceBuckets, not here (${e.bucketName})`);
    if (e.access === 'private') problems.push(`${key('eventSources')}: private: belongs in sourceBuckets, not here (${e.bucketName})`);
  }

  if ((ctx.domainName === undefined) !== (ctx.certificateArn === undefined)) {
    problems.push(`${key('domainName')} and ${key('certificateArn')} go together`);
  }
  if ((ctx.hostedZoneId === undefined) !== (ctx.hostedZoneName === undefined)) {
    problems.push(`${key('hostedZoneId')} and ${key('hostedZoneName')} go together`);
  }
  const zoneName = ctx.hostedZoneName?.replace(/\.$/, '');
  if (zoneName !== undefined && ctx.domainName === undefined) problems.push(`${key('hostedZoneId')} needs ${key('domainName')}`);
  if (zoneName !== undefined && ctx.domainName !== undefined && !`.${ctx.domainName}`.endsWith(`.${zoneName}`)) {
    problems.push(`${key('domainName')} ${ctx.domainName} is not inside the hosted zone ${zoneName}`);
  }
  const interval = ctx.announceIntervalSeconds ?? 1800;
  if (ctx.minAnnounceIntervalSeconds !== undefined && ctx.minAnnounceIntervalSeconds > interval) {
    problems.push(
      `${key('minAnnounceIntervalSeconds')} (${ctx.minAnnounceIntervalSeconds}) must not exceed the announce interval (${interval})`,
    );
  }
  const eventBuckets = new Set(eventSources.map((e) => e.bucketName));
  const enableEventBridge =
    ctx.enableEventBridge === true ? [...eventBuckets] : Array.isArray(ctx.enableEventBridge) ? ctx.enableEventBridge : [];
  for (const bucket of enableEventBridge.filter((b) => !eventBuckets.has(b))) {
    problems.push(`${key('enableEventBridge')}: ${bucket} is not one of the event sources (${key('eventSources')})`);
  }
  if ((ctx.webSeedKeySecretArn === undefined) !== (ctx.webSeedPublicKeyFile === undefined)) {
    problems.push(`${key('webSeedKeySecretArn')} and ${key('webSeedPublicKeyFile')} go together`);
  }
  let webSeedPublicKeyPem: string | undefined;
  if (ctx.webSeedPublicKeyFile !== undefined) {
    try {
      webSeedPublicKeyPem = readFileSync(ctx.webSeedPublicKeyFile, 'utf8');
    } catch (err) {
      problems.push(
        `${key('webSeedPublicKeyFile')}: cannot read ${ctx.webSeedPublicKeyFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    if (webSeedPublicKeyPem !== undefined && !webSeedPublicKeyPem.includes('-----BEGIN PUBLIC KEY-----'))
      problems.push(`${key('webSeedPublicKeyFile')}: ${ctx.webSeedPublicKeyFile} holds no PEM public key (-----BEGIN PUBLIC KEY-----)`);
  }
  if (problems.length > 0) throw new ContextError(problems);

  const seconds = (value: number | undefined) => (value === undefined ? undefined : Duration.seconds(value));
  return {
    stackName: ctx.stackName ?? 'S3Torrent',
    props: {
      sources: sourceBuckets,
      eventSources,
      enableEventBridgeOn: enableEventBridge,
      inlineHashLimitBytes: ctx.inlineHashLimitBytes,
      presignedUrlTtl: seconds(ctx.presignedUrlTtlSeconds),
      webSeedMode: ctx.webSeed,
      privateWebSeedTtl: seconds(ctx.privateWebSeedTtlSeconds),
      webSeedCacheTtl: seconds(ctx.webSeedCacheTtlSeconds),
      webSeedKey:
        ctx.webSeedKeySecretArn && webSeedPublicKeyPem
          ? { secretArn: ctx.webSeedKeySecretArn, publicKeyPem: webSeedPublicKeyPem }
          : undefined,
      webSeedKeyGeneration: ctx.webSeedKeyGeneration,
      webSeedGate:
        ctx.webSeedGate === 'off'
          ? false
          : {
              ...(ctx.webSeedGateFeeds !== undefined ? { feeds: ctx.webSeedGateFeeds } : {}),
              ...(ctx.webSeedGateSeeders !== undefined ? { seedersToGate: ctx.webSeedGateSeeders } : {}),
            },
      customDomain:
        ctx.domainName && ctx.certificateArn
          ? {
              domainName: ctx.domainName,
              certificateArn: ctx.certificateArn,
              ...(ctx.hostedZoneId && zoneName ? { hostedZone: { hostedZoneId: ctx.hostedZoneId, zoneName } } : {}),
            }
          : undefined,
      throttle:
        ctx.throttleRateLimit || ctx.throttleBurstLimit
          ? { rateLimit: ctx.throttleRateLimit ?? 1000, burstLimit: ctx.throttleBurstLimit ?? 2000 }
          : undefined,
      alarmTopicArn: ctx.alarmTopicArn,
      announceInterval: seconds(ctx.announceIntervalSeconds),
      minAnnounceInterval: seconds(ctx.minAnnounceIntervalSeconds),
      trustAnnounceIpHints: ctx.trustAnnounceIpHints ?? false,
      hashConcurrency: ctx.hashConcurrency,
      minChunkBytes: ctx.minChunkBytes,
      reservedConcurrency:
        ctx.endpointReservedConcurrency || ctx.trackerReservedConcurrency
          ? { endpoint: ctx.endpointReservedConcurrency, tracker: ctx.trackerReservedConcurrency }
          : undefined,
    },
  };
}
