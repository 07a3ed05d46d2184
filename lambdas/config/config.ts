// zod/mini: the same validation in a tree-shakable form; full zod would add ~450 KB to every bundle.
import * as z from 'zod/mini';
import { DEFAULT_PRESIGNED_URL_TTL_SECONDS, ENV, WEB_SEED_MODES } from './env';
import { MAX_LINK_LIFETIME_SECONDS } from '../security/signed-links';
import { DEFAULT_GATE_POLICY } from '../core/gate/gate-policy';

const positiveInt = () => z.coerce.number().check(z.int(), z.positive());

/** Reads and validates the environment once, at cold start: a missing variable fails loudly there. */
export function readEnv<T extends z.core.$ZodLooseShape>(shape: T, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodMiniObject<T>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return result.data;
}

/** The web-seed gate's settings, read by the endpoint and the tracker alike (both decide gates). */
export const gateEnvShape = {
  [ENV.GATE_TABLE]: z.optional(z.string().check(z.minLength(1))),
  [ENV.GATE_FEEDS]: z._default(positiveInt().check(z.maximum(48)), DEFAULT_GATE_POLICY.feeds),
  [ENV.GATE_SEEDERS]: z._default(positiveInt(), DEFAULT_GATE_POLICY.seedersToGate),
};

export const endpointEnvShape = {
  ...gateEnvShape,
  [ENV.GATE_MIN_BYTES]: z._default(positiveInt(), 1024 * 1024),
  [ENV.TORRENT_TABLE]: z.string().check(z.minLength(1)),
  [ENV.SWARM_TABLE]: z.string().check(z.minLength(1)),
  [ENV.METADATA_BUCKET]: z.string().check(z.minLength(1)),
  // Empty means no bucket is served (every object request is refused).
  [ENV.SOURCES]: z.string(),
  [ENV.INLINE_HASH_LIMIT]: z._default(positiveInt(), 256 * 1024 * 1024),
  [ENV.PRESIGNED_URL_TTL]: z._default(positiveInt().check(z.maximum(7 * 24 * 3600)), DEFAULT_PRESIGNED_URL_TTL_SECONDS),
  [ENV.PRIVATE_WEBSEED_TTL]: z._default(positiveInt().check(z.maximum(MAX_LINK_LIFETIME_SECONDS)), 7 * 24 * 3600),
  [ENV.SIGNING_SECRET_ARN]: z.string().check(z.minLength(1)),
  [ENV.PUBLIC_BASE_URL]: z.optional(z.url()),
  [ENV.ANNOUNCE_URL]: z.optional(z.url()),
  [ENV.STATE_MACHINE_ARN]: z.optional(z.string().check(z.startsWith('arn:'))),
  [ENV.WEB_SEED_MODE]: z._default(z.enum(WEB_SEED_MODES), 'presigned'),
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

// Written in the functional form zod/mini also accepts, so it reads the same under either import.
const seconds = () => z.coerce.number().check(z.int(), z.positive());

export const trackerEnvShape = {
  ...gateEnvShape,
  [ENV.SWARM_TABLE]: z.string().check(z.minLength(1)),
  [ENV.SIGNING_SECRET_ARN]: z.string().check(z.minLength(1)),
  [ENV.ANNOUNCE_INTERVAL]: z._default(seconds(), 1800),
  [ENV.MIN_ANNOUNCE_INTERVAL]: z._default(seconds(), 300),
  [ENV.TRUST_ANNOUNCE_IP_HINTS]: z._default(z.stringbool(), false),
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

export const planChunksEnvShape = {
  ...workflowEnvShape,
  [ENV.HASH_MAX_CONCURRENCY]: z._default(positiveInt().check(z.maximum(10_000)), 100),
  [ENV.HASH_MIN_CHUNK_BYTES]: z.optional(positiveInt()),
};

export const assembleTorrentEnvShape = {
  ...workflowResultsEnvShape,
  [ENV.SWARM_TABLE]: z.string().check(z.minLength(1)),
};

/** The gate publisher: the KeyValueStore it writes. */
export const gatePublisherEnvShape = {
  [ENV.GATE_KVS_ARN]: z.string().check(z.startsWith('arn:')),
};
