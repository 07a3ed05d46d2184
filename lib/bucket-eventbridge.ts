import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ServiceFunction } from './lambda-defaults';

export interface BucketEventBridgeProps {
  /** Existing buckets (this stack creates none) whose EventBridge delivery the stack switches on. */
  readonly buckets: readonly string[];
}

/**
 * Switches on S3's EventBridge delivery for existing buckets, through one custom resource per
 * bucket that adds `EventBridgeConfiguration` to the bucket's notification configuration and keeps
 * everything else in it; deleting the stack takes off only what it added. Opt-in
 * (`s3-torrent:enableEventBridge`): it writes to buckets this stack does not own.
 */
export class BucketEventBridge extends Construct {
  readonly function: ServiceFunction;
  readonly resources: CustomResource[];

  constructor(scope: Construct, id: string, props: BucketEventBridgeProps) {
    super(scope, id);
    this.function = new ServiceFunction(this, 'Function', {
      entry: 'events/eventbridge-resource.lambda.ts',
      description: 's3-torrent: switch on S3 EventBridge delivery for event-source buckets (custom resource)',
      memorySize: 256,
      timeout: Duration.minutes(1),
    });
    const partition = Stack.of(this).partition;
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetBucketNotification', 's3:PutBucketNotification'],
        resources: props.buckets.map((bucket) => `arn:${partition}:s3:::${bucket}`),
      }),
    );
    this.resources = props.buckets.map(
      (bucket) =>
        new CustomResource(this, `Bucket-${bucket}`, {
          serviceToken: this.function.functionArn,
          resourceType: 'Custom::S3EventBridgeDelivery',
          properties: { BucketName: bucket },
        }),
    );
  }
}
