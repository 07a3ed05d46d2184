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
  [ENV.STATE_MACHINE_ARN]: z.string().startsWith('arn:').optional(),
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
  [ENV.TORRENT_TABLE]: z.string().min(1),
};

/** Functions that read or write chunk results (and, for Assemble, cached info dicts). */
export const workflowResultsEnvShape = {
  ...workflowEnvShape,
  [ENV.METADATA_BUCKET]: z.string().min(1),
};

export const planChunksEnvShape = {
  ...workflowEnvShape,
  [ENV.HASH_MAX_CONCURRENCY]: positiveInt.max(10_000).default(100),
  [ENV.HASH_MIN_CHUNK_BYTES]: positiveInt.optional(),
};

export const assembleTorrentEnvShape = {
  ...workflowResultsEnvShape,
  [ENV.SWARM_TABLE]: z.string().min(1),
};
