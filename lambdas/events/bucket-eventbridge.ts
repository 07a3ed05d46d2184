import {
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  S3ServiceException,
  type NotificationConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';

/**
 * Switching a bucket's EventBridge delivery on and off without touching anything else about its
 * notifications. S3 has no call that adds one destination: PutBucketNotificationConfiguration
 * replaces the whole configuration, so the current one is read and written back with only
 * `EventBridgeConfiguration` added (or removed). A small race remains: an owner's change between
 * the read and the write is lost (S3 offers no conditional write for this).
 */

/** Whether the bucket already delivered to EventBridge (left as it was) or this switched it on. */
export type EventBridgeSwitch = 'added' | 'already-on';

export async function switchOnEventBridge(s3: S3Client, bucket: string): Promise<EventBridgeSwitch> {
  const current = await readNotifications(s3, bucket);
  if (current.EventBridgeConfiguration !== undefined) return 'already-on';
  await writeNotifications(s3, bucket, { ...current, EventBridgeConfiguration: {} });
  return 'added';
}

/** Takes EventBridge delivery off again, keeping every other destination; a bucket gone is fine. */
export async function switchOffEventBridge(s3: S3Client, bucket: string): Promise<void> {
  let current: NotificationConfiguration;
  try {
    current = await readNotifications(s3, bucket);
  } catch (err) {
    if (err instanceof S3ServiceException && (err.name === 'NoSuchBucket' || err.$metadata.httpStatusCode === 404)) return;
    throw err;
  }
  if (current.EventBridgeConfiguration === undefined) return;
  const { EventBridgeConfiguration: _removed, ...rest } = current;
  await writeNotifications(s3, bucket, rest);
}

async function readNotifications(s3: S3Client, bucket: string): Promise<NotificationConfiguration> {
  const out = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  return {
    ...(out.TopicConfigurations?.length ? { TopicConfigurations: out.TopicConfigurations } : {}),
    ...(out.QueueConfigurations?.length ? { QueueConfigurations: out.QueueConfigurations } : {}),
    ...(out.LambdaFunctionConfigurations?.length ? { LambdaFunctionConfigurations: out.LambdaFunctionConfigurations } : {}),
    ...(out.EventBridgeConfiguration ? { EventBridgeConfiguration: out.EventBridgeConfiguration } : {}),
  };
}

async function writeNotifications(s3: S3Client, bucket: string, configuration: NotificationConfiguration): Promise<void> {
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: configuration,
      // The owner's existing destinations are written back as they are; S3 would otherwise test
      // each again and fail the whole write if one of them no longer accepts test messages.
      SkipDestinationValidation: true,
    }),
  );
}
