import { z } from 'zod';
import { ENV } from './env';

const positiveInt = z.coerce.number().int().positive();

/** Reads and validates the environment once, at cold start: a missing variable fails loudly there. */
export function readEnv<T extends z.ZodRawShape>(shape: T, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return result.data;
}

export const endpointEnvShape = {
  [ENV.TORRENT_TABLE]: z.string().min(1),
  [ENV.SWARM_TABLE]: z.string().min(1),
  [ENV.METADATA_BUCKET]: z.string().min(1),
  // Empty means no bucket is served (every object request is refused).
  [ENV.SOURCES]: z.string(),
  [ENV.INLINE_HASH_LIMIT]: positiveInt.default(256 * 1024 * 1024),
  [ENV.PRESIGNED_URL_TTL]: positiveInt.max(7 * 24 * 3600).default(3600),
  [ENV.PUBLIC_BASE_URL]: z.url().optional(),
  [ENV.ANNOUNCE_URL]: z.url().optional(),
};

// Written in the functional form zod/mini also accepts, so it reads the same under either import.
const seconds = () => z.coerce.number().check(z.int(), z.positive());

export const trackerEnvShape = {
  [ENV.SWARM_TABLE]: z.string().check(z.minLength(1)),
  [ENV.ANNOUNCE_INTERVAL]: z._default(seconds(), 1800),
  [ENV.MIN_ANNOUNCE_INTERVAL]: z._default(seconds(), 300),
  [ENV.TRUST_ANNOUNCE_IP_HINTS]: z._default(z.stringbool(), false),
};
