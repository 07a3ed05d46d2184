/**
 * Key schemas of the DynamoDB tables, shared by the CDK construct that creates them, the local
 * stand-in that creates them on DynamoDB Local, and the adapters that read and write them.
 */
export const TORRENT_TABLE_SCHEMA = {
  /** `<bucket>/<key>`: bucket names cannot contain `/`, so this is unambiguous. */
  partitionKey: 'object',
  /** `<identity>#<variant>`, see objectIdentity(). */
  sortKey: 'build',
  timeToLiveAttribute: 'expiresAt',
} as const;

/**
 * Hashing-workflow job records share the torrent table under their own partitions,
 * `job#<jobId>` (no bucket name contains `#`, so these never meet an object's `<bucket>/<key>`),
 * with the sort key `job`. They are found by job id, as the status route needs.
 */
/**
 * Where the torrent cache keeps info dicts (and piece layers) too large for an item, in the
 * metadata bucket: `info/<infohash>/<item digest>.bencode`. CDK grants the cache this prefix.
 */
export const CACHE_INFO_PREFIX = 'info/';

export const jobPartitionKey = (jobId: string) => `job#${jobId}`;
export const JOB_ITEM_SORT_KEY = 'job';

/**
 * Stored piece hashes of objects (see ports/object-hash-store.ts) share the torrent table too:
 * partition `hashes#<bucket>/<key>`, sort key `<etag>#<size>#<piece length>`.
 */
export const objectHashesPartitionKey = (bucket: string, key: string) => `hashes#${bucket}/${key}`;

/** Folders whose torrents are kept current on S3 events (ports/known-folders.ts): `folder#<bucket>/<prefix>`, sort key `folder`. */
export const knownFolderPartitionKey = (bucket: string, prefix: string) => `folder#${bucket}/${prefix}`;
export const KNOWN_FOLDER_SORT_KEY = 'folder';

/**
 * Build leases (one builder per object identity and variant) share the torrent table too:
 * partition `lease#<bucket>/<key>`, sort key `<identity>#<variant>` like the cache entry they
 * guard, attributes `holder`, `leaseUntil` (epoch milliseconds) and `expiresAt` (TTL, so leases
 * left by crashed builders are deleted eventually; reads never rely on that).
 */
export const leasePartitionKey = (bucket: string, key: string) => `lease#${bucket}/${key}`;

/**
 * The tracker's table, one item collection per torrent:
 * - `entry = torrent`: the registration written when a torrent is published, in the same
 *   transaction as its cache entry (`bucket`, `key`, `name`, `size`, `private`, `tokenHash`,
 *   `registeredAt`); the tracker serves only infohashes that have one, and
 *   keeps the `downloaded` counter (ADD on `completed`) on it. No TTL.
 * - `entry = peer#<placement>#<peer id>`: one per peer, `<placement>` 8 hex digits of SHA-1(peer id)
 *   and `<peer id>` 40 hex digits; attributes `ipv4`/`ipv6` (text), `port`, `seeder` (bool),
 *   `clientKey` (hex of the announce `key`), `expiresAt`, and for the web-seed gate `ticket`, `left`
 *   and `announcedAt`. Placement first spreads peers uniformly over the sort key, so a bounded range
 *   read from a random point is a random sample.
 * - `entry = download#<peer id>`: that peer id's download of the torrent is counted (`expiresAt`
 *   30 days on, see DOWNLOAD_RECORD_SECONDS); it sorts before `peer#`, out of every sample.
 */
/** Sort key of a torrent's registration item in the swarm table. */
export const TORRENT_ENTRY = 'torrent';

export const SWARM_TABLE_SCHEMA = {
  /** Hex infohash (40 characters). */
  partitionKey: 'infoHash',
  /** `torrent` for the registration and counters of a torrent, `peer#<placement>#<hex peer id>` for a peer, `download#<hex peer id>` for a counted download. */
  sortKey: 'entry',
  /** Epoch seconds; on peers, a little past the announce interval. Reads filter on it: TTL deletion is lazy. */
  timeToLiveAttribute: 'expiresAt',
} as const;

/**
 * The web-seed gate's table: one item per gated torrent (`gateKey` = the first 16 hex digits of its
 * announced infohash, `entry = gate`) holding the gate the tracker and the endpoint decide
 * (lambdas/core/gate/gate-policy.ts): `open` (list of `{id, since, seenAt}`), `seeders`, `until`,
 * a `version` for conditional writes, and `expiresAt`. Its stream (new and old images) feeds the
 * publisher that copies each gate to the CloudFront KeyValueStore.
 */
export const GATE_TABLE_SCHEMA = {
  partitionKey: 'gateKey',
  sortKey: 'entry',
  timeToLiveAttribute: 'expiresAt',
  stream: 'NEW_AND_OLD_IMAGES',
} as const;

export interface TableSchema {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly timeToLiveAttribute: string;
  /** A DynamoDB stream of item changes, for tables something reacts to. */
  readonly stream?: 'NEW_AND_OLD_IMAGES';
}
