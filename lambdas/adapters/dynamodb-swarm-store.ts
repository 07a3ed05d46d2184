import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { SwarmSample } from '../core/tracker/swarm-sample';
import {
  DOWNLOAD_RECORD_SECONDS,
  STOPPED_PEER_SECONDS,
  type PutPeerOptions,
  type PeerWriteResult,
  type StoredPeer,
  type SwarmStore,
  type TrackedTorrent,
} from '../ports/swarm-store';
import { SWARM_TABLE_SCHEMA, TORRENT_ENTRY } from '../config/tables';

const PK = SWARM_TABLE_SCHEMA.partitionKey;
const SK = SWARM_TABLE_SCHEMA.sortKey;
const TTL = SWARM_TABLE_SCHEMA.timeToLiveAttribute;

/** Peer entries sort after `peer#` and before `peer#~` (`~` follows every hex digit). */
const PEER_PREFIX = 'peer#';
const PEER_END = `${PEER_PREFIX}~`;
const PEER_ENTRY = /^peer#([0-9a-f]{8})#([0-9a-f]{40})$/;

/** `peer#<placement, 8 hex digits>#<peer id, 40 hex digits>`: ring order first, so a range read is a random sample. */
export function peerEntry(placement: number, peerId: Uint8Array): string {
  return `${PEER_PREFIX}${ringPosition(placement)}#${Buffer.from(peerId).toString('hex')}`;
}

const ringPosition = (placement: number) => placement.toString(16).padStart(8, '0');

/** BatchGetItem takes 100 keys; it may leave some unprocessed under throttling, retried a few times. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ATTEMPTS = 4;

/**
 * The swarm table: the registration item (`entry = torrent`, written by the endpoint, carrying the
 * `downloaded` counter) and one item per peer, see SWARM_TABLE_SCHEMA. Reads are eventually
 * consistent (half the cost): a peer that announced a moment ago may be missed by one sample.
 */
export class DynamoDbSwarmStore implements SwarmStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async trackedTorrents(infoHashes: readonly string[]): Promise<Map<string, TrackedTorrent>> {
    const found = new Map<string, TrackedTorrent>();
    const unique = [...new Set(infoHashes)];
    for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + BATCH_GET_KEYS).map((h) => ({ [PK]: h, [SK]: TORRENT_ENTRY }));
      for (let attempt = 1; keys && keys.length > 0; attempt++) {
        if (attempt > BATCH_GET_ATTEMPTS)
          throw new Error(`BatchGetItem left ${keys.length} keys unprocessed after ${BATCH_GET_ATTEMPTS} attempts`);
        if (attempt > 1) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
        const out: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ProjectionExpression: '#pk, downloaded, #private, tokenHash',
                ExpressionAttributeNames: { '#pk': PK, '#private': 'private' },
              },
            },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const infoHash = String(item[PK]);
          found.set(infoHash, {
            infoHash,
            downloaded: typeof item.downloaded === 'number' ? item.downloaded : 0,
            private: item.private === true,
            ...(typeof item.tokenHash === 'string' ? { tokenHash: item.tokenHash } : {}),
          });
        }
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  async putPeer(infoHash: string, peer: StoredPeer, nowSeconds: number, options: PutPeerOptions = {}): Promise<PeerWriteResult> {
    const owner = ownership(peer);
    const key = peerKey(infoHash, peer);
    try {
      // A new peer, its owner announcing again, or an expired entry (which belongs to no one). A
      // recent stop is taken back only by a new start: an older announce that arrives after it must
      // not bring the peer back.
      const out = await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, ...definedOnly(peerAttributes(peer)) },
          ConditionExpression: `attribute_not_exists(#sk) OR #ttl <= :now OR ${
            options.starting
              ? `attribute_exists(#stoppedAt) OR ${owner.condition}`
              : `(attribute_not_exists(#stoppedAt) AND (${owner.condition}))`
          }`,
          ExpressionAttributeNames: { ...owner.names, '#sk': SK, '#ttl': TTL, '#stoppedAt': STOPPED_AT },
          ExpressionAttributeValues: { ...owner.values, ':now': nowSeconds },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { outcome: 'written', previous: out.Attributes ? storedPeer(out.Attributes) : undefined };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
    // Refused: tell a recent stop from another client's live entry (a rare path: one more read).
    const current = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return { outcome: typeof current.Item?.[STOPPED_AT] === 'number' ? 'stopped' : 'owned-by-another-client' };
  }

  async removePeer(infoHash: string, peer: StoredPeer, nowSeconds: number): Promise<PeerWriteResult> {
    const owner = ownership(peer);
    try {
      // Not a delete: a marker that outlives any announce still in flight (see STOPPED_PEER_SECONDS).
      // Without a port it is no peer to any read; it expires on its own.
      const out = await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...peerKey(infoHash, peer), [STOPPED_AT]: nowSeconds, [TTL]: nowSeconds + STOPPED_PEER_SECONDS },
          ConditionExpression: `attribute_not_exists(#sk) OR #ttl <= :now OR attribute_exists(#stoppedAt) OR ${owner.condition}`,
          ExpressionAttributeNames: { ...owner.names, '#sk': SK, '#ttl': TTL, '#stoppedAt': STOPPED_AT },
          ExpressionAttributeValues: { ...owner.values, ':now': nowSeconds },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { outcome: 'written', previous: out.Attributes ? storedPeer(out.Attributes) : undefined };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return { outcome: 'owned-by-another-client' };
      throw err;
    }
  }

  async removeExpiredPeers(infoHash: string, peers: readonly StoredPeer[], nowSeconds: number): Promise<void> {
    await Promise.all(
      peers.map(async (peer) => {
        try {
          await this.db.send(
            new DeleteCommand({
              TableName: this.tableName,
              Key: peerKey(infoHash, peer),
              ConditionExpression: '#ttl <= :now',
              ExpressionAttributeNames: { '#ttl': TTL },
              ExpressionAttributeValues: { ':now': nowSeconds },
            }),
          );
        } catch (err) {
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        }
      }),
    );
  }

  async recordDownload(infoHash: string, peerId: Uint8Array, nowSeconds: number): Promise<boolean> {
    try {
      // The record and the count together: a failure cannot leave one without the other.
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { [PK]: infoHash, [SK]: downloadEntry(peerId), [TTL]: nowSeconds + DOWNLOAD_RECORD_SECONDS },
                ConditionExpression: 'attribute_not_exists(#sk) OR #ttl <= :now',
                ExpressionAttributeNames: { '#sk': SK, '#ttl': TTL },
                ExpressionAttributeValues: { ':now': nowSeconds },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { [PK]: infoHash, [SK]: TORRENT_ENTRY },
                UpdateExpression: 'ADD #downloaded :one',
                // Never create a registration item: only the endpoint registers torrents.
                ConditionExpression: 'attribute_exists(#sk)',
                ExpressionAttributeNames: { '#downloaded': 'downloaded', '#sk': SK },
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      // Already counted (a concurrent or repeated announce), or not registered.
      if (err instanceof TransactionCanceledException && onlyConditionsFailed(err)) return false;
      throw err;
    }
  }

  async samplePeers(infoHash: string, start: number, limit: number): Promise<SwarmSample> {
    const from = `${PEER_PREFIX}${ringPosition(start)}`;
    const ahead = await this.peerRange(infoHash, from, PEER_END, limit);
    if (ahead.more || ahead.peers.length >= limit) return { start, members: ahead.peers, wholeSwarm: false };
    // Wrap round: the peers before `start`. Entries at exactly `start` sort after `from` and were in the first range.
    const behind = await this.peerRange(infoHash, PEER_PREFIX, from, limit - ahead.peers.length);
    return {
      start,
      members: [...ahead.peers, ...behind.peers],
      wholeSwarm: !behind.more && behind.peers.length < limit - ahead.peers.length,
    };
  }

  private async peerRange(infoHash: string, from: string, to: string, limit: number): Promise<{ peers: StoredPeer[]; more: boolean }> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: { ':pk': infoHash, ':from': from, ':to': to },
        Limit: limit,
      }),
    );
    const peers = (out.Items ?? []).map(storedPeer).filter((p): p is StoredPeer => p !== undefined);
    return { peers, more: out.LastEvaluatedKey !== undefined };
  }
}

/** Set (epoch seconds) on the marker a `stopped` leaves in place of the peer's entry. */
const STOPPED_AT = 'stoppedAt';

/** `download#<peer id, 40 hex digits>`: this peer id's download is counted (sorts before `peer#`, out of every sample). */
const downloadEntry = (peerId: Uint8Array) => `download#${Buffer.from(peerId).toString('hex')}`;

const peerKey = (infoHash: string, peer: StoredPeer) => ({ [PK]: infoHash, [SK]: peerEntry(peer.placement, peer.peerId) });

/** What an announce writes: the whole entry (absent addresses and keys are not kept from an earlier announce). */
function peerAttributes(peer: StoredPeer): Record<string, string | number | boolean | undefined> {
  return {
    ipv4: peer.ipv4,
    ipv6: peer.ipv6,
    port: peer.port,
    seeder: peer.seeder,
    clientKey: peer.key,
    ticket: peer.ticket,
    left: peer.left,
    announcedAt: peer.announcedAt,
    [TTL]: peer.expiresAt,
  };
}

function definedOnly<T>(record: Record<string, T | undefined>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<string, T>;
}

/**
 * A request comes from the client that owns a live entry when it shares an address with it (either
 * family) or brings the same `key`.
 */
function ownership(peer: StoredPeer) {
  const terms: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const match = (attribute: string, value: string | undefined) => {
    if (value === undefined) return;
    names[`#o_${attribute}`] = attribute;
    values[`:o_${attribute}`] = value;
    terms.push(`#o_${attribute} = :o_${attribute}`);
  };
  match('ipv4', peer.ipv4);
  match('ipv6', peer.ipv6);
  match('clientKey', peer.key);
  // Every request has a source address, so terms is never empty in practice; if it were, nobody owns it.
  return { condition: terms.length > 0 ? terms.join(' OR ') : 'attribute_not_exists(#sk)', names, values };
}

function onlyConditionsFailed(err: TransactionCanceledException): boolean {
  return (err.CancellationReasons ?? []).every((r) => r.Code === undefined || r.Code === 'None' || r.Code === 'ConditionalCheckFailed');
}

function storedPeer(item: Record<string, unknown>): StoredPeer | undefined {
  const match = PEER_ENTRY.exec(String(item[SK]));
  if (!match || typeof item.port !== 'number' || typeof item[TTL] !== 'number') return undefined;
  return {
    placement: parseInt(match[1] as string, 16),
    peerId: Buffer.from(match[2] as string, 'hex'),
    ipv4: typeof item.ipv4 === 'string' ? item.ipv4 : undefined,
    ipv6: typeof item.ipv6 === 'string' ? item.ipv6 : undefined,
    port: item.port,
    seeder: item.seeder === true,
    key: typeof item.clientKey === 'string' ? item.clientKey : undefined,
    expiresAt: item[TTL],
    ...(typeof item.ticket === 'string' ? { ticket: item.ticket } : {}),
    ...(typeof item.left === 'number' ? { left: item.left } : {}),
    ...(typeof item.announcedAt === 'number' ? { announcedAt: item.announcedAt } : {}),
  };
}
