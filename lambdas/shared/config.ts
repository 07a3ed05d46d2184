// zod/mini: the same validation in a tree-shakable form; full zod would add ~450 KB to every bundle.
import * as z from 'zod/mini';
import { DEFAULT_PRESIGNED_URL_TTL_SECONDS, ENV } from './env';
import { MAX_LINK_LIFETIME_SECONDS } from './signed-links';

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

export const endpointEnvShape = {
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
};

// Written in the functional form zod/mini also accepts, so it reads the same under either import.
const seconds = () => z.coerce.number().check(z.int(), z.positive());

export const trackerEnvShape = {
  [ENV.SWARM_TABLE]: z.string().check(z.minLength(1)),
  [ENV.SIGNING_SECRET_ARN]: z.string().check(z.minLength(1)),
  [ENV.ANNOUNCE_INTERVAL]: z._default(seconds(), 1800),
  [ENV.MIN_ANNOUNCE_INTERVAL]: z._default(seconds(), 300),
  [ENV.TRUST_ANNOUNCE_IP_HINTS]: z._default(z.stringbool(), false),
};
