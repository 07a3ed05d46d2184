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
export const jobPartitionKey = (jobId: string) => `job#${jobId}`;
export const JOB_ITEM_SORT_KEY = 'job';

export const SWARM_TABLE_SCHEMA = {
  /** Hex infohash (40 characters). */
  partitionKey: 'infoHash',
  /** `torrent` for the registration and counters of a torrent, `peer#<hex peer id>` for a peer. */
  sortKey: 'entry',
  timeToLiveAttribute: 'expiresAt',
} as const;

export interface TableSchema {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly timeToLiveAttribute: string;
}
