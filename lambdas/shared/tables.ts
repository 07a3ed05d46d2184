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
