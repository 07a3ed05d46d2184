import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ByteRange } from '../core/ranges';
import { accessDenied, noSuchBucket, noSuchKey, ObjectChangedError, ServiceError } from '../http/errors';
import type { ObjectHead, ObjectStore, PresignOptions } from '../ports/object-store';

export class S3ObjectStore implements ObjectStore {
  constructor(private readonly s3: S3Client) {}

  async head(bucket: string, key: string): Promise<ObjectHead> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      if (out.ETag === undefined || out.ContentLength === undefined) {
        throw new Error(`HeadObject for ${bucket}/${key} returned no ETag or length`);
      }
      return {
        bucket,
        key,
        size: out.ContentLength,
        etag: out.ETag,
        // A suspended or never-versioned bucket reports the "null" version, which is not immutable.
        versionId: out.VersionId && out.VersionId !== 'null' ? out.VersionId : undefined,
        lastModified: out.LastModified,
      };
    } catch (err) {
      throw await this.headError(err, bucket, key);
    }
  }

  async *readRange(head: ObjectHead, range: ByteRange): AsyncIterable<Uint8Array> {
    const expected = range.end - range.start;
    if (expected <= 0) return;
    let body: AsyncIterable<Uint8Array>;
    try {
      const out = await this.s3.send(
        new GetObjectCommand({
          Bucket: head.bucket,
          Key: head.key,
          VersionId: head.versionId,
          IfMatch: head.etag,
          Range: `bytes=${range.start}-${range.end - 1}`,
        }),
      );
      if (out.ETag !== undefined && out.ETag !== head.etag) throw new ObjectChangedError(head.bucket, head.key);
      body = out.Body as AsyncIterable<Uint8Array>;
    } catch (err) {
      if (isS3Error(err, 412, 'PreconditionFailed')) throw new ObjectChangedError(head.bucket, head.key);
      if (isS3Error(err, 404, 'NoSuchKey')) throw new ObjectChangedError(head.bucket, head.key);
      throw err;
    }
    let received = 0;
    for await (const chunk of body) {
      received += chunk.length;
      if (received > expected) throw new Error(`range ${range.start}-${range.end} of ${head.key} returned too many bytes`);
      yield chunk;
    }
    if (received !== expected) {
      throw new Error(`range ${range.start}-${range.end} of ${head.key} ended after ${received} of ${expected} bytes`);
    }
  }

  presignGet(bucket: string, key: string, options: PresignOptions): Promise<string> {
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: options.versionId }), {
      expiresIn: options.expiresInSeconds,
    });
  }

  // HEAD responses carry no error body, so a 404 does not say whether the bucket or the key is
  // missing; one HeadBucket call on that (rare) path tells them apart.
  private async headError(err: unknown, bucket: string, key: string): Promise<unknown> {
    if (!(err instanceof S3ServiceException)) return err;
    const status = err.$metadata.httpStatusCode;
    if (status === 403) return accessDenied(`Access to ${bucket}/${key} is denied to this service.`);
    if (status !== 404) return err;
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: bucket }));
      return noSuchKey(bucket, key);
    } catch (bucketErr) {
      if (bucketErr instanceof S3ServiceException && bucketErr.$metadata.httpStatusCode === 404) return noSuchBucket(bucket);
      return bucketErr instanceof ServiceError ? bucketErr : noSuchKey(bucket, key);
    }
  }
}

function isS3Error(err: unknown, status: number, name: string): boolean {
  return err instanceof S3ServiceException && (err.$metadata.httpStatusCode === status || err.name === name);
}
