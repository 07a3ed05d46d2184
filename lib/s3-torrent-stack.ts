import { CfnOutput, Duration, RemovalPolicy, Stack, Annotations, type StackProps } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';
import { TorrentEndpoint } from './torrent-endpoint';
import type { SourceBucket } from './source-buckets';
import { TorrentStorage } from './storage';
import { Tracker } from './tracker';

export interface S3TorrentStackProps extends StackProps {
  /** Buckets (optionally prefixes) whose objects get torrents. None: every object request is refused. */
  readonly sources: readonly SourceBucket[];
  /** Objects up to this size are hashed inside the request (default 256 MiB). */
  readonly inlineHashLimitBytes?: number;
  /** Lifetime of presigned URLs behind the web seed and front door (default 1 hour). */
  readonly presignedUrlTtl?: Duration;
  readonly publicBaseUrl?: string;
  /** Tracker announce intervals (defaults 30 and 5 minutes) and whether to trust `ip` hints (default no). */
  readonly announceInterval?: Duration;
  readonly minAnnounceInterval?: Duration;
  readonly trustAnnounceIpHints?: boolean;
  /** RETAIN (default) keeps tables and the metadata bucket when the stack is deleted. */
  readonly removalPolicy?: RemovalPolicy;
}

export const DEFAULT_INLINE_HASH_LIMIT_BYTES = 256 * 1024 * 1024;

/** The whole service in one stack; each concern is its own construct, the stack only wires them. */
export class S3TorrentStack extends Stack {
  readonly api: HttpApi;
  readonly storage: TorrentStorage;
  readonly endpoint: TorrentEndpoint;
  readonly tracker: Tracker;

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
    this.tracker = new Tracker(this, 'Tracker', {
      api: this.api,
      storage: this.storage,
      announceInterval: props.announceInterval,
      minAnnounceInterval: props.minAnnounceInterval,
      trustAnnounceIpHints: props.trustAnnounceIpHints,
    });
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Append /{bucket}/{key}?torrent' });
  }
}
