import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ByteRange } from '../core/ranges';
import { accessDenied, noSuchBucket, noSuchKey, ObjectChangedError, ServiceError } from '../http/errors';
import type { ObjectHead, ObjectStore, PresignOptions } from '../ports/object-store';
import { BucketRegions } from './bucket-regions';

export class S3ObjectStore implements ObjectStore {
  private readonly regions: BucketRegions;

  /**
   * @param s3 the client for the function's own region
   * @param clientInRegion a client for another region, for buckets elsewhere (see BucketRegions);
   *   without it every bucket is reached through `s3`
   */
  constructor(s3: S3Client, clientInRegion: (region: string) => S3Client = () => s3) {
    this.regions = new BucketRegions(s3, clientInRegion);
  }

  async head(bucket: string, key: string): Promise<ObjectHead> {
    const s3 = await this.regions.clientFor(bucket);
    try {
      const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
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
      throw await this.headError(s3, err, bucket, key);
    }
  }

  async *readRange(head: ObjectHead, range: ByteRange): AsyncIterable<Uint8Array> {
    const expected = range.end - range.start;
    if (expected <= 0) return;
    let body: AsyncIterable<Uint8Array>;
    const s3 = await this.regions.clientFor(head.bucket);
    try {
      const out = await s3.send(
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

  /**
   * Signed for the bucket's own region (S3 refuses a signature scoped to another), and for the
   * method it will be used with: the signature covers the method, so a HEAD needs a HeadObject URL.
   */
  async presignGet(bucket: string, key: string, options: PresignOptions): Promise<string> {
    const s3 = await this.regions.clientFor(bucket);
    const input = { Bucket: bucket, Key: key, VersionId: options.versionId };
    const command = options.method === 'HEAD' ? new HeadObjectCommand(input) : new GetObjectCommand(input);
    return getSignedUrl(s3, command, { expiresIn: options.expiresInSeconds });
  }

  // HEAD responses carry no error body, so a 404 does not say whether the bucket or the key is
  // missing; one HeadBucket call on that (rare) path tells them apart.
  private async headError(s3: S3Client, err: unknown, bucket: string, key: string): Promise<unknown> {
    if (!(err instanceof S3ServiceException)) return err;
    const status = err.$metadata.httpStatusCode;
    if (status === 403) return accessDenied(`Access to ${bucket}/${key} is denied to this service.`);
    if (status !== 404) return err;
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
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
