import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Function as CloudFrontFunction, FunctionCode, FunctionRuntime, KeyValueStore } from 'aws-cdk-lib/aws-cloudfront';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StartingPosition, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { GATE_TABLE_SCHEMA } from '../lambdas/config/tables';
import { DEFAULT_GATE_POLICY, type GatePolicy } from '../lambdas/core/gate/gate-policy';
import { webSeedFunctionSource } from '../lambdas/edge/function-source';
import { ServiceFunction } from './lambda-defaults';
import type { SourceBucket } from './source-buckets';

export interface WebSeedGateProps {
  /** The source allowlist, written into the function (CloudFront Functions take no environment). */
  readonly sources: readonly SourceBucket[];
  /** The swarm-aware gate's knobs, or false for routing and refusals alone (no table, no publisher). */
  readonly gate?: Partial<Pick<GatePolicy, 'feeds' | 'seedersToGate'>> | false;
  /** Objects below this size are never gated (default 1 MiB). */
  readonly minBytes?: number;
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The web seed's edge logic (docs/web-seed.md): the viewer-request function the distribution runs
 * (lambdas/edge/web-seed-gate.js: routing, allowlist, and the gate), its KeyValueStore, and what
 * feeds the store: the gate table the endpoint and the tracker write, whose stream a publisher
 * Lambda copies to the store with the store's ETag.
 */
export class WebSeedGate extends Construct {
  readonly viewerRequest: CloudFrontFunction;
  readonly keyValueStore: KeyValueStore;
  readonly table?: TableV2;
  readonly publisher?: ServiceFunction;
  private readonly policy?: Pick<GatePolicy, 'feeds' | 'seedersToGate'>;
  private readonly minBytes?: number;

  constructor(scope: Construct, id: string, props: WebSeedGateProps) {
    super(scope, id);
    // Always there: the function reads it (an absent key serves everyone), gate or not.
    this.keyValueStore = new KeyValueStore(this, 'KeyValueStore', { comment: 's3-torrent web-seed gates, one key per gated torrent' });
    const entries = props.sources.map((s) => ({ bucket: s.bucketName, prefix: s.prefix ?? '', access: s.access ?? ('public' as const) }));
    this.viewerRequest = new CloudFrontFunction(this, 'Function', {
      code: FunctionCode.fromInline(webSeedFunctionSource(entries)),
      runtime: FunctionRuntime.JS_2_0,
      keyValueStore: this.keyValueStore,
      comment: 's3-torrent web seeds: route to the bucket, refuse what is not served, park gated downloaders',
    });
    if (props.gate === false) return;
    this.policy = {
      feeds: props.gate?.feeds ?? DEFAULT_GATE_POLICY.feeds,
      seedersToGate: props.gate?.seedersToGate ?? DEFAULT_GATE_POLICY.seedersToGate,
    };
    this.minBytes = props.minBytes;

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: GATE_TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: GATE_TABLE_SCHEMA.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: GATE_TABLE_SCHEMA.timeToLiveAttribute,
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      // Gates are rebuilt from the next announces: nothing here is worth restoring.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'The gate table holds transient state the tracker rewrites from announces within minutes; a restore would bring back stale gates.',
    });

    this.publisher = new ServiceFunction(this, 'Publisher', {
      entry: 'gate/gate-publisher.lambda.ts',
      description: 's3-torrent: copies web-seed gates from their table stream to the CloudFront KeyValueStore',
      memorySize: 256,
      timeout: Duration.seconds(30),
      // One writer: every UpdateKeys names the store's ETag, so parallel batches would only race.
      reservedConcurrentExecutions: 1,
      environment: { [ENV.GATE_KVS_ARN]: this.keyValueStore.keyValueStoreArn },
    });
    this.publisher.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'cloudfront-keyvaluestore:DescribeKeyValueStore',
          'cloudfront-keyvaluestore:UpdateKeys',
          'cloudfront-keyvaluestore:GetKey',
        ],
        resources: [this.keyValueStore.keyValueStoreArn],
      }),
    );
    this.publisher.addEventSource(
      new DynamoEventSource(this.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        // Gate changes reach the edge within about a second; batches of a busy second become one UpdateKeys.
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 10,
      }),
    );
  }

  /**
   * Lets a function decide gates (the endpoint issues tickets, the tracker updates gates): the
   * table's name and the policy in its environment, and the item actions it uses.
   */
  grantGate(fn: LambdaFunction, options: { minBytes?: boolean } = {}): void {
    if (this.table === undefined || this.policy === undefined) return;
    fn.addEnvironment(ENV.GATE_TABLE, this.table.tableName);
    fn.addEnvironment(ENV.GATE_FEEDS, String(this.policy.feeds));
    fn.addEnvironment(ENV.GATE_SEEDERS, String(this.policy.seedersToGate));
    if (options.minBytes && this.minBytes !== undefined) fn.addEnvironment(ENV.GATE_MIN_BYTES, String(this.minBytes));
    this.table.grant(fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem');
  }
}
