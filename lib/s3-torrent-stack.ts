import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_PRESIGNED_URL_TTL_SECONDS, ENV, type WebSeedMode } from '../lambdas/config/env';
import { Monitoring } from './monitoring';
import { PublicApi, type CustomDomain } from './public-api';
import { outputSourceBucketPolicies, type SourceBucket } from './source-buckets';
import { BucketEventBridge } from './bucket-eventbridge';
import { TorrentStorage } from './storage';
import { TorrentEndpoint } from './torrent-endpoint';
import { Tracker } from './tracker';
import { HashingWorkflow } from './hashing-workflow';
import { ObjectEvents } from './object-events';
import { WebSeedDistribution } from './web-seed-distribution';
import { WebSeedGate } from './web-seed-gate';
import type { GatePolicy } from '../lambdas/core/gate/gate-policy';
import { WebSeedSigningKey } from './web-seed-key';

export interface S3TorrentStackProps extends StackProps {
  /** Buckets (optionally prefixes) whose objects get torrents. None: every object request is refused. */
  readonly sources: readonly SourceBucket[];
  /** Objects up to this size are hashed inside the request (default 256 MiB). */
  readonly inlineHashLimitBytes?: number;
  /** Lifetime of the URLs redirects point to: presigned S3 URLs, or signed CloudFront URLs of private objects (default 6 hours). */
  readonly presignedUrlTtl?: Duration;
  /**
   * `cloudfront` (default): torrents' web seeds are on a CloudFront distribution in front of the
   * sources (stable URLs for public objects, signed URLs for private ones). `presigned`: no
   * distribution; the API's web-seed route redirects to presigned S3 URLs, which die with the
   * Lambda role's session whatever their expiry.
   */
  readonly webSeedMode?: WebSeedMode;
  /** Lifetime of a private object's web seed in its torrent (default 7 days). */
  readonly privateWebSeedTtl?: Duration;
  /** How long CloudFront keeps an object when S3 sends no Cache-Control (default 1 day). */
  readonly webSeedCacheTtl?: Duration;
  /** An existing CloudFront signing key (PEM private key in this secret, and its public key) instead of a generated one. */
  readonly webSeedKey?: { readonly secretArn: string; readonly publicKeyPem: string };
  /** Change it to generate a new web-seed signing key pair (default `1`). */
  readonly webSeedKeyGeneration?: string;
  /**
   * The swarm-aware web seed in `cloudfront` mode (docs/web-seed.md): the default policy (feeds 1,
   * seeders 1), other knobs, or false to serve every downloader from S3.
   */
  readonly webSeedGate?: Partial<Pick<GatePolicy, 'feeds' | 'seedersToGate'>> | false;
  /** Serve the API on this domain (and write it into torrents). */
  readonly customDomain?: CustomDomain;
  /**
   * API Gateway throttling (default 1,000 requests/s, bursts of 2,000). Announces dominate: a swarm
   * of N peers announcing every 1,800 s makes N/1,800 requests/s, so 1,000/s serves 1.8 M peers.
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** An existing SNS topic for alarm notifications. */
  readonly alarmTopicArn?: string;
  /** Tracker announce intervals (defaults 30 and 5 minutes) and whether to trust `ip` hints (default no). */
  readonly announceInterval?: Duration;
  readonly minAnnounceInterval?: Duration;
  readonly trustAnnounceIpHints?: boolean;
  /** RETAIN (default) keeps tables and the metadata bucket when the stack is deleted. */
  readonly removalPolicy?: RemovalPolicy;
  /** Chunk Lambdas one hashing job runs at once (default 100). */
  readonly hashConcurrency?: number;
  /** Overrides the chunk rule's 256 MiB minimum chunk size. */
  readonly minChunkBytes?: number;
  /** Buckets/prefixes whose uploads are pre-built and deletes evicted, via EventBridge (none by default). */
  readonly eventSources?: readonly SourceBucket[];
  /**
   * Event-source buckets whose EventBridge delivery the stack switches on (keeping their other
   * notifications); the others' owners switch it on by hand. None by default: opt-in.
   */
  readonly enableEventBridgeOn?: readonly string[];
  /** Concurrent executions reserved for the endpoint and the tracker, so a hashing burst cannot starve them (none by default). */
  readonly reservedConcurrency?: { readonly endpoint?: number; readonly tracker?: number };
}

export const DEFAULT_INLINE_HASH_LIMIT_BYTES = 256 * 1024 * 1024;

/** The whole service in one stack; each concern is its own construct, the stack only wires them. */
export class S3TorrentStack extends Stack {
  readonly api: PublicApi;
  readonly storage: TorrentStorage;
  readonly endpoint: TorrentEndpoint;
  readonly monitoring: Monitoring;
  readonly tracker: Tracker;
  readonly workflow: HashingWorkflow;
  readonly events?: ObjectEvents;
  readonly eventBridge?: BucketEventBridge;
  /** The web-seed distribution and its signing key (`cloudfront` mode with at least one source). */
  readonly webSeeds?: WebSeedDistribution;
  readonly webSeedKey?: WebSeedSigningKey;
  /** The distribution's viewer-request function, its KeyValueStore and the gate feeding it. */
  readonly webSeedGate?: WebSeedGate;

  constructor(scope: Construct, id: string, props: S3TorrentStackProps) {
    super(scope, id, props);
    if (props.sources.length === 0) {
      Annotations.of(this).addWarningV2(
        's3-torrent:noSources',
        'No source buckets configured (context s3-torrent:sourceBuckets): every object request will be refused with 403.',
      );
    }
    this.storage = new TorrentStorage(this, 'Storage', { removalPolicy: props.removalPolicy });
    this.api = new PublicApi(this, 'Api', {
      rateLimit: props.throttle?.rateLimit ?? 1000,
      burstLimit: props.throttle?.burstLimit ?? 2000,
      customDomain: props.customDomain,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', { api: this.api.api, alarmTopicArn: props.alarmTopicArn });
    this.endpoint = new TorrentEndpoint(this, 'Endpoint', {
      api: this.api.api,
      storage: this.storage,
      sources: props.sources,
      inlineHashLimitBytes: props.inlineHashLimitBytes ?? DEFAULT_INLINE_HASH_LIMIT_BYTES,
      presignedUrlTtl: props.presignedUrlTtl ?? Duration.seconds(DEFAULT_PRESIGNED_URL_TTL_SECONDS),
      privateWebSeedTtl: props.privateWebSeedTtl,
      publicBaseUrl: this.api.url,
      reservedConcurrency: props.reservedConcurrency?.endpoint,
    });
    if ((props.webSeedMode ?? 'cloudfront') === 'cloudfront' && props.sources.length > 0) {
      this.webSeedKey = new WebSeedSigningKey(this, 'WebSeedKey', {
        imported: props.webSeedKey,
        generation: props.webSeedKeyGeneration,
        removalPolicy: props.removalPolicy,
      });
      this.webSeedGate = new WebSeedGate(this, 'WebSeedGate', {
        sources: props.sources,
        gate: props.webSeedGate,
        removalPolicy: props.removalPolicy,
      });
      this.webSeedGate.grantGate(this.endpoint.function, { minBytes: true });
      this.webSeeds = new WebSeedDistribution(this, 'WebSeeds', {
        sources: props.sources,
        viewerRequest: this.webSeedGate.viewerRequest,
        keyGroup: this.webSeedKey.keyGroup,
        cacheTtl: props.webSeedCacheTtl,
      });
      this.webSeeds.grantWebSeeds(this.endpoint.function);
      this.webSeedKey.grantSigning(this.endpoint.function);
      new CfnOutput(this, 'WebSeedUrl', {
        value: this.webSeeds.baseUrl,
        description: 'The CloudFront distribution torrents name as their web seed',
      });
    } else {
      this.endpoint.function.addEnvironment(ENV.WEB_SEED_MODE, 'presigned');
    }
    this.monitoring.watchFunction('Endpoint', this.endpoint.function);
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Append /{bucket}/{key}?torrent' });
    new CfnOutput(this, 'SigningSecretArn', {
      value: this.storage.signingSecret.secretArn,
      description: 'npm run sign-link -- --secret-id <this> <ApiUrl>/<bucket>/<key> mints links to private objects',
    });
    this.tracker = new Tracker(this, 'Tracker', {
      api: this.api.api,
      storage: this.storage,
      announceInterval: props.announceInterval,
      minAnnounceInterval: props.minAnnounceInterval,
      trustAnnounceIpHints: props.trustAnnounceIpHints,
      reservedConcurrency: props.reservedConcurrency?.tracker,
    });
    this.monitoring.watchFunction('Tracker', this.tracker.function);
    this.webSeedGate?.grantGate(this.tracker.function);
    if (this.webSeedGate?.publisher) this.monitoring.watchFunction('WebSeedGatePublisher', this.webSeedGate.publisher);
    this.workflow = new HashingWorkflow(this, 'HashingWorkflow', {
      storage: this.storage,
      sources: props.sources,
      maxConcurrency: props.hashConcurrency,
      minChunkBytes: props.minChunkBytes,
    });
    this.workflow.grantStartJobs(this.endpoint.function);
    this.monitoring.alarmOn(
      'HashingJobsFailed',
      this.workflow.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      1,
      'hashing workflow executions failed',
    );
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
      this.monitoring.watchFunction('ObjectEvents', this.events.function);
      this.monitoring.alarmOn(
        'ObjectEventDeadLetters',
        this.events.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        1,
        'S3 events that failed every retry are in the dead-letter queue',
      );
      const eventBuckets = [...new Set(props.eventSources.map((s) => s.bucketName))];
      const switched = eventBuckets.filter((b) => props.enableEventBridgeOn?.includes(b));
      if (switched.length > 0) this.eventBridge = new BucketEventBridge(this, 'EventBridgeDelivery', { buckets: switched });
      const byHand = eventBuckets.filter((b) => !switched.includes(b));
      new CfnOutput(this, 'EventBuckets', {
        value: eventBuckets.join(','),
        description:
          byHand.length === 0
            ? 'Event-source buckets; the stack switched on their EventBridge delivery'
            : `Event-source buckets; switch on EventBridge delivery for ${byHand.join(', ')} (or set s3-torrent:enableEventBridge, see docs/s3-events.md)`,
      });
    }
    // Last: every function that reads sources has registered its role by now.
    outputSourceBucketPolicies(this, props.sources);
  }
}
