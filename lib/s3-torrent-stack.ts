import { CfnOutput, Duration, RemovalPolicy, Stack, Annotations, type StackProps } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';
import { TorrentEndpoint } from './torrent-endpoint';
import type { SourceBucket } from './source-buckets';
import { TorrentStorage } from './storage';
import { HashingWorkflow } from './hashing-workflow';
import { ObjectEvents } from './object-events';

export interface S3TorrentStackProps extends StackProps {
  /** Buckets (optionally prefixes) whose objects get torrents. None: every object request is refused. */
  readonly sources: readonly SourceBucket[];
  /** Objects up to this size are hashed inside the request (default 256 MiB). */
  readonly inlineHashLimitBytes?: number;
  /** Lifetime of presigned URLs behind the web seed and front door (default 1 hour). */
  readonly presignedUrlTtl?: Duration;
  readonly publicBaseUrl?: string;
  /** RETAIN (default) keeps tables and the metadata bucket when the stack is deleted. */
  readonly removalPolicy?: RemovalPolicy;
  /** Chunk Lambdas one hashing job runs at once (default 100). */
  readonly hashConcurrency?: number;
  /** Overrides the chunk rule's 256 MiB minimum chunk size. */
  readonly minChunkBytes?: number;
  /** Buckets/prefixes whose uploads are pre-built and deletes evicted, via EventBridge (none by default). */
  readonly eventSources?: readonly SourceBucket[];
}

export const DEFAULT_INLINE_HASH_LIMIT_BYTES = 256 * 1024 * 1024;

/** The whole service in one stack; each concern is its own construct, the stack only wires them. */
export class S3TorrentStack extends Stack {
  readonly api: HttpApi;
  readonly storage: TorrentStorage;
  readonly endpoint: TorrentEndpoint;
  readonly workflow: HashingWorkflow;
  readonly events?: ObjectEvents;

  constructor(scope: Construct, id: string, props: S3TorrentStackProps) {
    super(scope, id, props);
    if (props.sources.length === 0) {
      Annotations.of(this).addWarningV2(
        's3-torrent:noSources',
        'No source buckets configured (context s3-torrent:sourceBuckets): every object request will be refused with 403.',
      );
    }
    this.storage = new TorrentStorage(this, 'Storage', { removalPolicy: props.removalPolicy });
    this.api = new HttpApi(this, 'Api', { description: 's3-torrent: torrents for S3 objects' });
    this.endpoint = new TorrentEndpoint(this, 'Endpoint', {
      api: this.api,
      storage: this.storage,
      sources: props.sources,
      inlineHashLimitBytes: props.inlineHashLimitBytes ?? DEFAULT_INLINE_HASH_LIMIT_BYTES,
      presignedUrlTtl: props.presignedUrlTtl ?? Duration.hours(1),
      publicBaseUrl: props.publicBaseUrl,
    });
    this.workflow = new HashingWorkflow(this, 'HashingWorkflow', {
      storage: this.storage,
      sources: props.sources,
      maxConcurrency: props.hashConcurrency,
      minChunkBytes: props.minChunkBytes,
    });
    this.workflow.grantStartJobs(this.endpoint.function);
    if (props.eventSources && props.eventSources.length > 0) {
      const uncovered = props.eventSources.filter(
        (e) => !props.sources.some((s) => s.bucketName === e.bucketName && (e.prefix ?? '').startsWith(s.prefix ?? '')),
      );
      if (uncovered.length > 0) {
        Annotations.of(this).addWarningV2(
          's3-torrent:eventSourceNotServed',
          `Event sources outside the source buckets are ignored: ${uncovered.map((e) => `${e.bucketName}/${e.prefix ?? ''}`).join(', ')}`,
        );
      }
      this.events = new ObjectEvents(this, 'ObjectEvents', {
        storage: this.storage,
        sources: props.sources,
        eventSources: props.eventSources,
        inlineHashLimitBytes: props.inlineHashLimitBytes ?? DEFAULT_INLINE_HASH_LIMIT_BYTES,
        workflow: this.workflow,
      });
      new CfnOutput(this, 'EventBuckets', {
        value: [...new Set(props.eventSources.map((s) => s.bucketName))].join(','),
        description: 'Turn on EventBridge notifications for these buckets (see README, S3 events)',
      });
    }
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Append /{bucket}/{key}?torrent' });
  }
}
