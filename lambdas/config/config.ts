// zod/mini: the same validation in a tree-shakable form; full zod would add ~450 KB to every bundle.
import * as z from 'zod/mini';
import { DEFAULT_PRESIGNED_URL_TTL_SECONDS, ENV, WEB_SEED_MODES } from './env';
import { MAX_LINK_LIFETIME_SECONDS } from '../security/signed-links';
import { DEFAULT_GATE_POLICY, MAX_OPEN_TICKETS } from '../core/gate/gate-policy';

const positiveInt = () => z.coerce.number().check(z.int({ error: 'must be a whole number' }), z.positive({ error: 'must be positive' }));

/** SigV4 presigned URLs live at most 7 days; S3 refuses a longer X-Amz-Expires. */
export const MAX_PRESIGNED_URL_TTL_SECONDS = 7 * 24 * 3600;
/** A distributed map runs at most 10,000 child workflows at once. */
export const MAX_HASH_CONCURRENCY = 10_000;

/**
 * One schema per setting, shared by the Lambdas (reading their environment at cold start) and the
 * CDK app (reading its context at synth): a value the Lambdas would refuse fails `cdk synth` with
 * the same rule, instead of every cold start after the deploy.
 */
export const SETTING = {
  inlineHashLimitBytes: positiveInt(),
  presignedUrlTtlSeconds: positiveInt().check(
    z.maximum(MAX_PRESIGNED_URL_TTL_SECONDS, {
      error: `must be at most ${MAX_PRESIGNED_URL_TTL_SECONDS} (7 days, the longest S3 accepts)`,
    }),
  ),
  privateWebSeedTtlSeconds: positiveInt().check(
    z.maximum(MAX_LINK_LIFETIME_SECONDS, {
      error: `must be at most ${MAX_LINK_LIFETIME_SECONDS} (366 days, the longest a signed link may live)`,
    }),
  ),
  announceIntervalSeconds: positiveInt(),
  minAnnounceIntervalSeconds: positiveInt(),
  trustAnnounceIpHints: z.stringbool(),
  hashConcurrency: positiveInt().check(
    z.maximum(MAX_HASH_CONCURRENCY, { error: `must be at most ${MAX_HASH_CONCURRENCY} (a distributed map's most concurrent children)` }),
  ),
  minChunkBytes: positiveInt(),
  publicBaseUrl: z.url(),
  webSeedMode: z.enum(WEB_SEED_MODES, { error: `must be ${WEB_SEED_MODES.join(' or ')}` }),
  webSeedGate: z.enum(['on', 'off'], { error: 'must be on or off' }),
  webSeedGateFeeds: positiveInt().check(z.maximum(MAX_OPEN_TICKETS, { error: `must be at most ${MAX_OPEN_TICKETS}` })),
  webSeedGateSeeders: positiveInt(),
};

/** Reads and validates the environment once, at cold start: a missing variable fails loudly there. */
export function readEnv<T extends z.core.$ZodLooseShape>(shape: T, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodMiniObject<T>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) throw new Error(`invalid configuration: ${problemsOf(result.error).join('; ')}`);
  return result.data;
}

/** `NAME: message` for each issue, the form every configuration error here takes. */
export function problemsOf(error: z.core.$ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

/** The web-seed gate's settings, read by the endpoint and the tracker alike (both decide gates). */
export const gateEnvShape = {
  [ENV.GATE_TABLE]: z.optional(z.string().check(z.minLength(1))),
  [ENV.GATE_FEEDS]: z._default(SETTING.webSeedGateFeeds, DEFAULT_GATE_POLICY.feeds),
  [ENV.GATE_SEEDERS]: z._default(SETTING.webSeedGateSeeders, DEFAULT_GATE_POLICY.seedersToGate),
};

export const endpointEnvShape = {
  ...gateEnvShape,
  [ENV.GATE_MIN_BYTES]: z._default(positiveInt(), 1024 * 1024),
  [ENV.TORRENT_TABLE]: z.string().check(z.minLength(1)),
  [ENV.SWARM_TABLE]: z.string().check(z.minLength(1)),
  [ENV.METADATA_BUCKET]: z.string().check(z.minLength(1)),
  // Empty means no bucket is served (every object request is refused).
  [ENV.SOURCES]: z.string(),
  [ENV.INLINE_HASH_LIMIT]: z._default(SETTING.inlineHashLimitBytes, 256 * 1024 * 1024),
  [ENV.PRESIGNED_URL_TTL]: z._default(SETTING.presignedUrlTtlSeconds, DEFAULT_PRESIGNED_URL_TTL_SECONDS),
  [ENV.PRIVATE_WEBSEED_TTL]: z._default(SETTING.privateWebSeedTtlSeconds, 7 * 24 * 3600),
  [ENV.SIGNING_SECRET_ARN]: z.string().check(z.minLength(1)),
  [ENV.PUBLIC_BASE_URL]: z.optional(SETTING.publicBaseUrl),
  [ENV.ANNOUNCE_URL]: z.optional(z.url()),
  [ENV.STATE_MACHINE_ARN]: z.optional(z.string().check(z.startsWith('arn:'))),
  [ENV.WEB_SEED_MODE]: z._default(SETTING.webSeedMode, 'presigned'),
  [ENV.WEB_SEED_BASE_URL]: z.optional(z.url({ protocol: /^https?$/ })),
  [ENV.CLOUDFRONT_KEY_PAIR_ID]: z.optional(z.string().check(z.regex(/^[A-Z0-9]{8,64}$/))),
  [ENV.CLOUDFRONT_KEY_SECRET_ARN]: z.optional(z.string().check(z.startsWith('arn:'))),
};

/** The CloudFront half of the endpoint's environment: all three settings in `cloudfront` mode, none needed otherwise. */
export function cloudFrontWebSeedEnv(
  env: Pick<z.infer<z.ZodMiniObject<typeof endpointEnvShape>>, (typeof WEB_SEED_ENV)[number] | typeof ENV.WEB_SEED_MODE>,
): { baseUrl: string; keyPairId: string; secretArn: string } | undefined {
  if (env[ENV.WEB_SEED_MODE] !== 'cloudfront') return undefined;
  const missing = WEB_SEED_ENV.filter((name) => env[name] === undefined);
  if (missing.length > 0) throw new Error(`invalid configuration: ${ENV.WEB_SEED_MODE}=cloudfront needs ${missing.join(', ')}`);
  return {
    baseUrl: env[ENV.WEB_SEED_BASE_URL] as string,
    keyPairId: env[ENV.CLOUDFRONT_KEY_PAIR_ID] as string,
    secretArn: env[ENV.CLOUDFRONT_KEY_SECRET_ARN] as string,
  };
}
const WEB_SEED_ENV = [ENV.WEB_SEED_BASE_URL, ENV.CLOUDFRONT_KEY_PAIR_ID, ENV.CLOUDFRONT_KEY_SECRET_ARN] as const;

export const trackerEnvShape = {
  ...gateEnvShape,
  [ENV.SWARM_TABLE]: z.string().check(z.minLength(1)),
  [ENV.SIGNING_SECRET_ARN]: z.string().check(z.minLength(1)),
  [ENV.ANNOUNCE_INTERVAL]: z._default(SETTING.announceIntervalSeconds, 1800),
  [ENV.MIN_ANNOUNCE_INTERVAL]: z._default(SETTING.minAnnounceIntervalSeconds, 300),
  [ENV.TRUST_ANNOUNCE_IP_HINTS]: z._default(SETTING.trustAnnounceIpHints, false),
};

/** The S3 events function: the endpoint's storage and hashing settings, without the HTTP ones. */
export const eventsEnvShape = {
  [ENV.TORRENT_TABLE]: endpointEnvShape[ENV.TORRENT_TABLE],
  [ENV.SWARM_TABLE]: endpointEnvShape[ENV.SWARM_TABLE],
  [ENV.METADATA_BUCKET]: endpointEnvShape[ENV.METADATA_BUCKET],
  [ENV.SOURCES]: endpointEnvShape[ENV.SOURCES],
  [ENV.INLINE_HASH_LIMIT]: endpointEnvShape[ENV.INLINE_HASH_LIMIT],
  [ENV.STATE_MACHINE_ARN]: endpointEnvShape[ENV.STATE_MACHINE_ARN],
};

/** Every hashing-workflow function: the job records live in the torrent table. */
export const workflowEnvShape = {
  [ENV.TORRENT_TABLE]: z.string().check(z.minLength(1)),
};

/** Functions that read or write chunk results (and, for Assemble, cached info dicts). */
export const workflowResultsEnvShape = {
  ...workflowEnvShape,
  [ENV.METADATA_BUCKET]: z.string().check(z.minLength(1)),
};

// Plan reads folder jobs' plans from the metadata bucket (under the job results prefix).
export const planChunksEnvShape = {
  ...workflowResultsEnvShape,
  [ENV.HASH_MAX_CONCURRENCY]: z._default(SETTING.hashConcurrency, 100),
  [ENV.HASH_MIN_CHUNK_BYTES]: z.optional(SETTING.minChunkBytes),
};

export const assembleTorrentEnvShape = {
  ...workflowResultsEnvShape,
  [ENV.SWARM_TABLE]: z.string().check(z.minLength(1)),
};

/** The gate publisher: the KeyValueStore it writes. */
export const gatePublisherEnvShape = {
  [ENV.GATE_KVS_ARN]: z.string().check(z.startsWith('arn:')),
};
