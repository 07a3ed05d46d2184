import type { Logger } from '@aws-lambda-powertools/logger';

/** What CloudFormation sends a Lambda-backed custom resource (the fields these resources use). */
export interface CustomResourceEvent<P = Record<string, unknown>> {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: P;
  readonly OldResourceProperties?: P;
}

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  /** Read in the template with Fn::GetAtt; CloudFormation takes at most 4 KB of response. */
  readonly Data?: Record<string, string>;
}

export interface CustomResourceOutcome {
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
}

export type CustomResourceResponder = (url: string, response: CustomResourceResponse) => Promise<void>;

/**
 * A custom resource handler that answers CloudFormation whatever happens (a resource that never
 * answers holds the stack for an hour), without the CDK Provider framework's extra function.
 */
export function customResourceHandler<P>(
  apply: (event: CustomResourceEvent<P>) => Promise<CustomResourceOutcome>,
  deps: {
    readonly logger: Logger;
    readonly respond?: CustomResourceResponder;
    /** The physical id a failed Create reports (default `failed:<request id>`). */
    readonly failedId?: (event: CustomResourceEvent<P>) => string;
  },
) {
  const respond = deps.respond ?? putResponse;
  return async (event: CustomResourceEvent<P>): Promise<CustomResourceResponse> => {
    const base = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
    let response: CustomResourceResponse;
    try {
      const outcome = await apply(event);
      response = {
        ...base,
        Status: 'SUCCESS',
        PhysicalResourceId: outcome.physicalResourceId,
        ...(outcome.data ? { Data: outcome.data } : {}),
      };
    } catch (err) {
      deps.logger.error('custom resource failed', { requestType: event.RequestType, error: err as Error });
      response = {
        ...base,
        Status: 'FAILED',
        Reason: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500),
        // A failed Create still needs an id; the rollback's Delete of it then does nothing.
        PhysicalResourceId: event.PhysicalResourceId ?? deps.failedId?.(event) ?? `failed:${event.RequestId}`,
      };
    }
    await respond(event.ResponseURL, response);
    return response;
  };
}

/** PUTs the answer to CloudFormation's presigned response URL. */
export async function putResponse(url: string, response: CustomResourceResponse): Promise<void> {
  // The presigned URL does not cover a content type, and S3 refuses one it was not signed with.
  const answer = await fetch(url, { method: 'PUT', body: JSON.stringify(response), headers: { 'content-type': '' } });
  if (!answer.ok) throw new Error(`CloudFormation's response URL answered ${answer.status}`);
}
