import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { Logger } from '@aws-lambda-powertools/logger';
import { LOCAL_CREDENTIALS } from './s3';

/**
 * What Lambda's DynamoDB event source mapping does on AWS, for DynamoDB Local: reads a table's
 * stream shard by shard and hands each batch of records to a handler (the same handler the Lambda
 * runs), moving on only once the handler succeeded, so a failed batch is delivered again.
 */
export interface LocalStreamPoller {
  /** Resolves once every record written before the call has been handled. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

export async function pollTableStream(options: {
  readonly dynamoDbEndpoint: string;
  readonly tableName: string;
  readonly handle: (event: { Records: _Record[] }) => Promise<unknown>;
  readonly logger: Logger;
  readonly intervalMs?: number;
}): Promise<LocalStreamPoller> {
  const config = { endpoint: options.dynamoDbEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  const db = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const table = await db.send(new DescribeTableCommand({ TableName: options.tableName }));
  db.destroy();
  const streamArn = table.Table?.LatestStreamArn;
  if (streamArn === undefined) throw new Error(`${options.tableName} has no stream`);
  const iterators = new Map<string, string | undefined>();
  /** The last sequence number handled per shard, to pick up again after an iterator went stale. */
  const handled = new Map<string, string>();
  const iteratorFrom = async (shardId: string) => {
    const after = handled.get(shardId);
    const out = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after !== undefined
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator;
  };
  let stopped = false;
  let round = 0;
  const waiters: { round: number; resolve: () => void }[] = [];

  /** One pass over every shard; false when a shard had to be picked up again (so the pass read nothing there). */
  const pollOnce = async (): Promise<boolean> => {
    let complete = true;
    const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
    for (const shard of shards) {
      const id = shard.ShardId as string;
      if (!iterators.has(id)) iterators.set(id, await iteratorFrom(id));
    }
    for (const [id, iterator] of iterators) {
      if (iterator === undefined) continue; // a closed shard, read to its end
      let out;
      try {
        out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      } catch (err) {
        // DynamoDB Local calls an iterator taken on an empty shard trimmed once records arrive;
        // iterators also expire. Either way, start again after the last record handled.
        const name = (err as Error).name;
        if (name !== 'TrimmedDataAccessException' && name !== 'ExpiredIteratorException') throw err;
        iterators.set(id, await iteratorFrom(id));
        complete = false;
        continue;
      }
      const records = out.Records ?? [];
      if (records.length > 0) {
        await options.handle({ Records: records });
        const last = records[records.length - 1]?.dynamodb?.SequenceNumber;
        if (last !== undefined) handled.set(id, last);
      }
      iterators.set(id, out.NextShardIterator);
    }
    return complete;
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        if (await pollOnce()) round++;
        for (const w of waiters.filter((w) => round >= w.round)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      } catch (err) {
        if (!stopped) options.logger.warn('gate stream batch failed; it will be delivered again', { error: err as Error });
      }
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
    }
  })();

  return {
    // Two more rounds: the one under way may have read the stream before the write.
    caughtUp: () => new Promise<void>((resolve) => waiters.push({ round: round + 2, resolve })),
    stop: async () => {
      stopped = true;
      await loop;
      streams.destroy();
      for (const w of waiters.splice(0)) w.resolve();
    },
  };
}
