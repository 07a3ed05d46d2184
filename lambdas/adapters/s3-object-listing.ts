import { ListObjectsV2Command, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { accessDenied, noSuchBucket } from '../http/errors';
import type { ListedObject, ObjectListing } from '../ports/object-listing';
import { BucketRegions } from './bucket-regions';

/** ListObjectsV2, 1,000 keys a page, following continuation tokens; buckets in other regions through their region's client. */
export class S3ObjectListing implements ObjectListing {
  private readonly regions: BucketRegions;

  constructor(s3: S3Client, clientInRegion: (region: string) => S3Client = () => s3) {
    this.regions = new BucketRegions(s3, clientInRegion);
  }

  async *list(bucket: string, prefix: string): AsyncIterable<readonly ListedObject[]> {
    const s3 = await this.regions.clientFor(bucket);
    let token: string | undefined;
    do {
      let out;
      try {
        out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      } catch (err) {
        if (err instanceof S3ServiceException && (err.name === 'NoSuchBucket' || err.$metadata.httpStatusCode === 404))
          throw noSuchBucket(bucket);
        if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 403)
          throw accessDenied(`Listing ${bucket}/${prefix} is denied to this service.`);
        throw err;
      }
      const page: ListedObject[] = [];
      for (const o of out.Contents ?? []) {
        if (o.Key === undefined || o.Size === undefined || o.ETag === undefined)
          throw new Error(`ListObjectsV2 of ${bucket} returned an entry without key, size or ETag`);
        page.push({ key: o.Key, size: o.Size, etag: o.ETag });
      }
      yield page;
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token !== undefined);
  }
}
