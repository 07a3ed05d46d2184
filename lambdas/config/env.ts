/**
 * Environment variable names, shared by the CDK constructs that set them and the handlers that read
 * them, so the two cannot drift apart.
 */
/**
 * Presigned URLs behind redirects live this long by default. libtorrent-based clients resolve a web
 * seed's redirect once per session and keep using the URL it pointed to, so the URL must outlast a
 * long download; URLs signed with a Lambda's temporary credentials die with those credentials anyway.
 */
export const DEFAULT_PRESIGNED_URL_TTL_SECONDS = 6 * 3600;

/**
 * How clients reach an object's bytes:
 * - `cloudfront`: the web-seed distribution. Public objects have a stable URL that never expires;
 *   private ones a CloudFront signed URL whose lifetime is configuration.
 * - `presigned`: the API's web-seed route, which redirects to a presigned S3 GET (for deployments
 *   without CloudFront). A URL presigned with the Lambda role's temporary credentials stops working
 *   when that role session ends, whatever its expiry, and clients keep the redirect target.
 */
export type WebSeedMode = 'cloudfront' | 'presigned';
export const WEB_SEED_MODES: readonly WebSeedMode[] = ['cloudfront', 'presigned'];

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
  /** Secrets Manager secret holding the key that signs links to private objects and announce tokens. */
  SIGNING_SECRET_ARN: 'SIGNING_SECRET_ARN',
  /** Lifetime of the signed web-seed URL written into torrents of private objects. */
  PRIVATE_WEBSEED_TTL: 'PRIVATE_WEBSEED_TTL_SECONDS',
  /** `cloudfront`: web seeds on the distribution; `presigned`: the API's route redirecting to presigned S3 URLs. */
  WEB_SEED_MODE: 'WEB_SEED_MODE',
  /** The web-seed distribution's URL (`https://<domain>`), in `cloudfront` mode. */
  WEB_SEED_BASE_URL: 'WEB_SEED_BASE_URL',
  /** The id of the CloudFront public key whose private half signs private objects' URLs. */
  CLOUDFRONT_KEY_PAIR_ID: 'CLOUDFRONT_KEY_PAIR_ID',
  /** Secrets Manager secret holding that private key (PEM). */
  CLOUDFRONT_KEY_SECRET_ARN: 'CLOUDFRONT_KEY_SECRET_ARN',
  /** Seconds between a tracker client's regular announces. */
  ANNOUNCE_INTERVAL: 'ANNOUNCE_INTERVAL_SECONDS',
  /** Seconds a tracker client must leave between announces of its own accord. */
  MIN_ANNOUNCE_INTERVAL: 'MIN_ANNOUNCE_INTERVAL_SECONDS',
  /** `true`: the tracker takes a peer's address from its `ip`/`ipv4`/`ipv6` parameters, not the connection. */
  TRUST_ANNOUNCE_IP_HINTS: 'TRUST_ANNOUNCE_IP_HINTS',
  /** ARN of the hashing workflow; when set, objects above the inline limit are hashed by it (202 + job). */
  STATE_MACHINE_ARN: 'HASHING_STATE_MACHINE_ARN',
  /** Chunk Lambdas a hashing job runs at once (the Map's MaxConcurrency). */
  HASH_MAX_CONCURRENCY: 'HASH_MAX_CONCURRENCY',
  /** Overrides the chunk rule's 256 MiB minimum chunk size. */
  HASH_MIN_CHUNK_BYTES: 'HASH_MIN_CHUNK_BYTES',
  /** DynamoDB table of the web-seed gate; set (CloudFront mode), the endpoint issues tickets and the tracker keeps gates (docs/web-seed.md). */
  GATE_TABLE: 'WEB_SEED_GATE_TABLE_NAME',
  /** Downloaders the web seed serves at once while seeders are short. */
  GATE_FEEDS: 'WEB_SEED_GATE_FEEDS',
  /** Live seeders from which no new downloader is served by the web seed. */
  GATE_SEEDERS: 'WEB_SEED_GATE_SEEDERS',
  /** Objects below this size are never gated. */
  GATE_MIN_BYTES: 'WEB_SEED_GATE_MIN_BYTES',
  /** ARN of the CloudFront KeyValueStore the gate publisher writes. */
  GATE_KVS_ARN: 'WEB_SEED_GATE_KVS_ARN',
} as const;
