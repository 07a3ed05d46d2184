/**
 * The one error type handlers map to HTTP: a status, a stable S3-style code and a message that is
 * safe to show the caller. Anything else that reaches a handler is a bug and becomes a generic 500.
 */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const noSuchBucket = (bucket: string) =>
  new ServiceError(404, 'NoSuchBucket', `The bucket ${JSON.stringify(bucket)} does not exist.`);

export const noSuchKey = (bucket: string, key: string) =>
  new ServiceError(404, 'NoSuchKey', `The key ${JSON.stringify(key)} does not exist in bucket ${JSON.stringify(bucket)}.`);

export const accessDenied = (message: string) => new ServiceError(403, 'AccessDenied', message);

/** The signing key could not be read (Secrets Manager failed): temporary, the next request reads it again. */
export const signingKeyUnavailable = (cause: unknown) =>
  Object.assign(
    new ServiceError(503, 'ServiceUnavailable', 'The service cannot read its signing key right now; try again shortly.', {
      'retry-after': '5',
    }),
    {
      cause,
    },
  );

export const badRequest = (message: string, code = 'InvalidRequest') => new ServiceError(400, code, message);

/** The object changed between HEAD and a read pinned to the identity HEAD returned. */
export class ObjectChangedError extends ServiceError {
  constructor(bucket: string, key: string) {
    super(
      409,
      'ObjectChanged',
      `The object ${JSON.stringify(key)} in bucket ${JSON.stringify(bucket)} changed while it was being hashed; request the torrent again.`,
    );
    this.name = 'ObjectChangedError';
  }
}
