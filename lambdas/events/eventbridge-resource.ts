import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { switchOffEventBridge, switchOnEventBridge } from './bucket-eventbridge';

/** What CloudFormation sends a custom resource (the fields this one uses). */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: { readonly BucketName?: string };
}

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

export interface EventBridgeResourceDeps {
  readonly s3: S3Client;
  readonly logger: Logger;
  /** Delivers the answer to CloudFormation (a PUT to the presigned ResponseURL). */
  readonly respond?: (url: string, response: CustomResourceResponse) => Promise<void>;
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
  const respond = deps.respond ?? putResponse;
  return async (event: CustomResourceEvent): Promise<CustomResourceResponse> => {
    let response: CustomResourceResponse;
    try {
      response = { ...base(event), Status: 'SUCCESS', PhysicalResourceId: await apply(deps.s3, event) };
    } catch (err) {
      deps.logger.error('switching EventBridge delivery failed', { requestType: event.RequestType, error: err as Error });
      response = {
        ...base(event),
        Status: 'FAILED',
        Reason: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500),
        // A failed Create still needs an id; CloudFormation's rollback then deletes it, which does nothing.
        PhysicalResourceId: event.PhysicalResourceId ?? `s3-torrent-eventbridge:failed:${event.RequestId}`,
      };
    }
    await respond(event.ResponseURL, response);
    return response;
  };
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

const base = (event: CustomResourceEvent) => ({
  StackId: event.StackId,
  RequestId: event.RequestId,
  LogicalResourceId: event.LogicalResourceId,
});

async function putResponse(url: string, response: CustomResourceResponse): Promise<void> {
  // The presigned URL does not cover a content type, and S3 refuses one it was not signed with.
  const answer = await fetch(url, { method: 'PUT', body: JSON.stringify(response), headers: { 'content-type': '' } });
  if (!answer.ok) throw new Error(`CloudFormation's response URL answered ${answer.status}`);
}
