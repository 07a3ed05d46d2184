/**
 * Environment variable names, shared by the CDK constructs that set them and the handlers that read
 * them, so the two cannot drift apart.
 */
export const ENV = {
  /** DynamoDB table of built torrents (info dicts keyed by object and identity). */
  TORRENT_TABLE: 'TORRENT_TABLE_NAME',
  /** DynamoDB table of the tracker: registered infohashes and peers. */
  SWARM_TABLE: 'SWARM_TABLE_NAME',
  /** Bucket for metadata too large for a DynamoDB item. */
  METADATA_BUCKET: 'METADATA_BUCKET_NAME',
  /** Comma-separated `bucket` or `bucket/prefix` entries the service may read; `*` allows any. */
  SOURCES: 'SOURCE_BUCKETS',
  /** Objects up to this many bytes are hashed inside the request. */
  INLINE_HASH_LIMIT: 'INLINE_HASH_LIMIT_BYTES',
  /** Lifetime of presigned GET URLs handed out by redirects. */
  PRESIGNED_URL_TTL: 'PRESIGNED_URL_TTL_SECONDS',
  /** Public base URL of the API, e.g. https://torrents.example.com; derived from the request when unset. */
  PUBLIC_BASE_URL: 'PUBLIC_BASE_URL',
  /** Announce URL written into torrents; defaults to `<public base URL>/announce`. */
  ANNOUNCE_URL: 'ANNOUNCE_URL',
  /** ARN of the hashing workflow; when set, objects above the inline limit are hashed by it (202 + job). */
  STATE_MACHINE_ARN: 'HASHING_STATE_MACHINE_ARN',
  /** Chunk Lambdas a hashing job runs at once (the Map's MaxConcurrency). */
  HASH_MAX_CONCURRENCY: 'HASH_MAX_CONCURRENCY',
  /** Overrides the chunk rule's 256 MiB minimum chunk size. */
  HASH_MIN_CHUNK_BYTES: 'HASH_MIN_CHUNK_BYTES',
} as const;
