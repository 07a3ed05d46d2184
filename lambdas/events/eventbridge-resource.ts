import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  customResourceHandler,
  type CustomResourceEvent as RuntimeCustomResourceEvent,
  type CustomResourceResponder,
} from '../runtime/custom-resource';
import { switchOffEventBridge, switchOnEventBridge } from './bucket-eventbridge';

export type CustomResourceEvent = RuntimeCustomResourceEvent<{ readonly BucketName?: string }>;

export interface EventBridgeResourceDeps {
  readonly s3: S3Client;
  readonly logger: Logger;
  /** Delivers the answer to CloudFormation (a PUT to the presigned ResponseURL). */
  readonly respond?: CustomResourceResponder;
}

/**
 * The physical id records whether this resource switched EventBridge on (`…:added`) or found it on
 * (`…:already-on`): only in the first case does deleting the resource switch it off again, so a
 * bucket whose owner had it on keeps it.
 */
const physicalId = (bucket: string, outcome: string) => `s3-torrent-eventbridge:${bucket}:${outcome}`;
const PHYSICAL_ID = /^s3-torrent-eventbridge:([^:]+):(added|already-on)$/;

/**
 * The custom resource that switches on S3's EventBridge delivery for one existing bucket, keeping
 * its other notifications (see bucket-eventbridge.ts). Every outcome, failures included, is
 * answered to CloudFormation, which would otherwise wait an hour.
 */
export function makeEventBridgeResourceHandler(deps: EventBridgeResourceDeps) {
  return customResourceHandler<{ readonly BucketName?: string }>(async (event) => ({ physicalResourceId: await apply(deps.s3, event) }), {
    logger: deps.logger,
    respond: deps.respond,
    failedId: (event) => `s3-torrent-eventbridge:failed:${event.RequestId}`,
  });
}

async function apply(s3: S3Client, event: CustomResourceEvent): Promise<string> {
  const previous = event.PhysicalResourceId && PHYSICAL_ID.exec(event.PhysicalResourceId);
  if (event.RequestType === 'Delete') {
    if (previous && previous[2] === 'added') await switchOffEventBridge(s3, previous[1] as string);
    return event.PhysicalResourceId as string;
  }
  const bucket = event.ResourceProperties.BucketName;
  if (!bucket) throw new Error('the BucketName property is missing');
  // Same bucket on Update: nothing to do. A new bucket: a new id, and CloudFormation deletes the old one.
  if (event.RequestType === 'Update' && previous && previous[1] === bucket) return event.PhysicalResourceId as string;
  return physicalId(bucket, await switchOnEventBridge(s3, bucket));
}
