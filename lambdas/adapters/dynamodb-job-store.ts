import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HashingJob, JobFailure, JobState, JobStore, NewJob } from '../ports/job-store';
import { JOB_ITEM_SORT_KEY, jobPartitionKey, TORRENT_TABLE_SCHEMA } from '../config/tables';
import type { JobRef } from '../ports/hashing-job';

const { partitionKey: PK, sortKey: SK, timeToLiveAttribute: TTL } = TORRENT_TABLE_SCHEMA;

/**
 * Job records expire 120 days after their last change: longer than the 90 days Step Functions keeps
 * an execution name taken, so a job's attempt numbers (and execution names) never start over while
 * an old execution could still hold one.
 */
export const JOB_RECORD_TTL_SECONDS = 120 * 24 * 60 * 60;

interface JobItem extends Omit<HashingJob, 'startedAt' | 'updatedAt' | 'finishedAt' | 'checkedAt'> {
  object: string;
  build: string;
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
  checkedAt?: number;
  chunksDone?: Set<number>;
  expiresAt: number;
}

const RUNNING: JobState = 'RUNNING';

/** For the updates that count as progress (see STALE_JOB_MS): they set `updatedAt`. */
const UPDATED_AT = { '#updatedAt': 'updatedAt' } as const;

/** Job records in the torrent table, one item per job under the `job#<jobId>` partition. */
export class DynamoDbJobStore implements JobStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async get(jobId: string): Promise<HashingJob | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: this.key(jobId), ConsistentRead: true }));
    const item = out.Item as JobItem | undefined;
    if (item === undefined || item.expiresAt <= this.nowSeconds()) return undefined;
    const { object: _pk, build: _sk, chunksDone: _chunks, expiresAt: _ttl, ...job } = item;
    return {
      ...job,
      startedAt: new Date(item.startedAt),
      updatedAt: new Date(item.updatedAt),
      finishedAt: item.finishedAt === undefined ? undefined : new Date(item.finishedAt),
      checkedAt: item.checkedAt === undefined ? undefined : new Date(item.checkedAt),
    };
  }

  async begin(job: NewJob, previousAttempt?: number): Promise<boolean> {
    const now = this.clock().getTime();
    const item: JobItem = {
      ...job,
      ...this.key(job.jobId),
      state: RUNNING,
      piecesDone: 0,
      startedAt: job.startedAt.getTime(),
      updatedAt: now,
      expiresAt: this.ttl(),
    };
    return this.conditionally(
      new PutCommand({
        TableName: this.tableName,
        Item: item,
        ...(previousAttempt === undefined
          ? {
              // An expired record (DynamoDB deletes them days late) is no record: get() does not see it.
              ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now',
              ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL },
              ExpressionAttributeValues: { ':now': this.nowSeconds() },
            }
          : {
              ConditionExpression: '#attempt = :previous AND #state <> :running',
              ExpressionAttributeNames: { '#attempt': 'attempt', '#state': 'state' },
              ExpressionAttributeValues: { ':previous': previousAttempt, ':running': RUNNING },
            }),
      }),
    );
  }

  async recordChunk(job: JobRef, chunk: number, pieces: number): Promise<void> {
    // The set of finished chunks makes the count idempotent: a retried chunk adds nothing twice.
    await this.update(job, 'ADD #piecesDone :pieces, #chunksDone :chunkSet SET #updatedAt = :now', 'NOT contains(#chunksDone, :chunk)', {
      names: { '#piecesDone': 'piecesDone', '#chunksDone': 'chunksDone', ...UPDATED_AT },
      values: { ':pieces': pieces, ':chunkSet': new Set([chunk]), ':chunk': chunk },
    });
  }

  async noteError(job: JobRef, message: string): Promise<void> {
    await this.update(job, 'SET #lastError = :message, #updatedAt = :now', undefined, {
      names: { '#lastError': 'lastError', ...UPDATED_AT },
      values: { ':message': message.slice(0, 1000) },
    });
  }

  fail(job: JobRef, failure: JobFailure): Promise<boolean> {
    return this.update(job, 'SET #state = :failed, #failure = :failure, #finishedAt = :now, #updatedAt = :now, #ttl = :ttl', undefined, {
      names: { '#failure': 'failure', '#finishedAt': 'finishedAt', '#ttl': TTL, ...UPDATED_AT },
      values: { ':failed': 'FAILED', ':failure': { code: failure.code, message: failure.message.slice(0, 1000) }, ':ttl': this.ttl() },
    });
  }

  succeed(job: JobRef, infoHash: string): Promise<boolean> {
    return this.update(
      job,
      'SET #state = :succeeded, #infoHash = :infoHash, #piecesDone = #piecesTotal, #finishedAt = :now, #updatedAt = :now, #ttl = :ttl REMOVE #chunksDone',
      undefined,
      {
        names: {
          '#infoHash': 'infoHash',
          '#piecesDone': 'piecesDone',
          '#piecesTotal': 'piecesTotal',
          '#finishedAt': 'finishedAt',
          '#chunksDone': 'chunksDone',
          '#ttl': TTL,
          ...UPDATED_AT,
        },
        values: { ':succeeded': 'SUCCEEDED', ':infoHash': infoHash, ':ttl': this.ttl() },
      },
    );
  }

  async markChecked(job: JobRef): Promise<void> {
    // Not progress: updatedAt stays, so a job that keeps being checked still looks stuck.
    await this.update(job, 'SET #checkedAt = :now', undefined, { names: { '#checkedAt': 'checkedAt' }, values: {} });
  }

  /** An update of the current attempt while it runs; false (not an error) when it no longer does. */
  private update(
    job: JobRef,
    expression: string,
    extraCondition: string | undefined,
    { names, values }: { names: Record<string, string>; values: Record<string, unknown> },
  ): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(job.jobId),
        UpdateExpression: expression,
        ConditionExpression: ['attribute_exists(#pk) AND #attempt = :attempt AND #state = :running', extraCondition]
          .filter(Boolean)
          .join(' AND '),
        // DynamoDB refuses a name or value the expressions do not use (ValidationException), so
        // each caller names exactly what its expression uses beyond the condition's own.
        ExpressionAttributeNames: { '#pk': PK, '#attempt': 'attempt', '#state': 'state', ...names },
        ExpressionAttributeValues: { ':attempt': job.attempt, ':running': RUNNING, ':now': this.clock().getTime(), ...values },
      }),
    );
  }

  private async conditionally(command: PutCommand | UpdateCommand): Promise<boolean> {
    try {
      await this.db.send(command as UpdateCommand);
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  private key(jobId: string) {
    return { [PK]: jobPartitionKey(jobId), [SK]: JOB_ITEM_SORT_KEY };
  }

  private ttl(): number {
    return this.nowSeconds() + JOB_RECORD_TTL_SECONDS;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }
}
