import { Duration, Validations } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { eventsEnvShape } from '../lambdas/config/config';
import { ENV } from '../lambdas/config/env';
import type { HashingWorkflow } from './hashing-workflow';
import { ServiceFunction } from './lambda-defaults';
import { grantSourceRead, type SourceBucket } from './source-buckets';
import type { TorrentStorage } from './storage';

export interface ObjectEventsProps {
  readonly storage: TorrentStorage;
  /** What the service may read (the events function gets the same read access as the endpoint). */
  readonly sources: readonly SourceBucket[];
  /** Buckets and prefixes whose uploads are pre-built and whose deletes are evicted. */
  readonly eventSources: readonly SourceBucket[];
  readonly inlineHashLimitBytes: number;
  readonly workflow: HashingWorkflow;
}

/**
 * S3 event triggers through EventBridge: one rule per configured bucket (matching its prefixes)
 * sends "Object Created" and "Object Deleted" to the events function.
 *
 * EventBridge rather than bucket notifications: adding a notification to a bucket this stack does
 * not own goes through a custom resource that replaces the bucket's whole notification
 * configuration, clobbering whatever else the owner set up. EventBridge delivery is a bucket
 * setting (`EventBridgeConfiguration`) the owner turns on once; nothing else about the bucket changes.
 */
export class ObjectEvents extends Construct {
  readonly function: ServiceFunction;
  readonly rules: Rule[] = [];
  /** Events that could not be delivered or handled after retries. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: ObjectEventsProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue: events that failed every retry stay here for 14 days.',
    });
    this.function = new ServiceFunction(this, 'Function', {
      entry: 'events/events.lambda.ts',
      envShape: eventsEnvShape,
      description: 's3-torrent: pre-build torrents on upload, evict on delete',
      // Inline hashing up to the inline limit (as the endpoint does), without API Gateway's 30 s.
      timeout: Duration.minutes(5),
      memorySize: 1769,
      environment: { [ENV.INLINE_HASH_LIMIT]: String(props.inlineHashLimitBytes) },
      onFailure: new SqsDestination(this.deadLetters),
      retryAttempts: 2,
    });
    props.storage.grantTorrentCache(this.function);
    props.storage.grantTorrentRegistry(this.function);
    grantSourceRead(this.function, props.sources);
    props.workflow.grantStartJobs(this.function);

    const target = new LambdaTarget(this.function, { deadLetterQueue: this.deadLetters, retryAttempts: 8, maxEventAge: Duration.hours(6) });
    for (const [bucketName, prefixes] of byBucket(props.eventSources)) {
      this.rules.push(
        new Rule(this, `Rule-${bucketName}`, {
          description: `s3-torrent: object created/deleted in ${bucketName}${prefixes ? ` under ${prefixes.join(', ')}` : ''}`,
          eventPattern: {
            source: ['aws.s3'],
            detailType: ['Object Created', 'Object Deleted'],
            detail: { bucket: { name: [bucketName] }, ...(prefixes ? { object: { key: prefixes.map((prefix) => ({ prefix })) } } : {}) },
          },
          targets: [target],
        }),
      );
    }
  }
}

/** Prefixes per bucket; undefined when the whole bucket is configured. */
function byBucket(sources: readonly SourceBucket[]): Map<string, string[] | undefined> {
  const buckets = new Map<string, string[] | undefined>();
  for (const { bucketName, prefix } of sources) {
    const seen = buckets.has(bucketName) ? buckets.get(bucketName) : [];
    buckets.set(bucketName, seen === undefined || !prefix ? undefined : [...seen, prefix]);
  }
  return buckets;
}
