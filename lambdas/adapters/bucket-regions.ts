import { HeadBucketCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';

/**
 * The S3 client for a bucket: one client per region, each bucket's region learned once (HeadBucket
 * answers it in `x-amz-bucket-region`, on success and on 301/403 alike) and kept for the container.
 * Requests then go straight to the bucket's region instead of bouncing off a 301 each time, and
 * presigned URLs are signed for the region S3 checks them in.
 */
export class BucketRegions {
  private readonly regions = new Map<string, Promise<string | undefined>>();
  private readonly clients = new Map<string, S3Client>();

  /**
   * @param home the client for the function's own region (it follows region redirects)
   * @param clientIn makes a client for another region (called once per region)
   */
  constructor(
    private readonly home: S3Client,
    private readonly clientIn: (region: string) => S3Client,
  ) {}

  async clientFor(bucket: string): Promise<S3Client> {
    const region = await this.regionOf(bucket);
    if (region === undefined || region === (await this.home.config.region())) return this.home;
    let client = this.clients.get(region);
    if (client === undefined) this.clients.set(region, (client = this.clientIn(region)));
    return client;
  }

  /** The bucket's region, or undefined when S3 would not say (then the home client is used and asked again next time). */
  regionOf(bucket: string): Promise<string | undefined> {
    let region = this.regions.get(bucket);
    if (region === undefined) {
      region = this.learn(bucket);
      this.regions.set(bucket, region);
      void region.then((r) => r === undefined && this.regions.delete(bucket));
    }
    return region;
  }

  private async learn(bucket: string): Promise<string | undefined> {
    try {
      const out = await this.home.send(new HeadBucketCommand({ Bucket: bucket }));
      // S3 always names the region; a stand-in that does not serves every bucket where it is.
      return out.BucketRegion ?? (await this.home.config.region());
    } catch (err) {
      const headers = err instanceof S3ServiceException ? (err.$response?.headers ?? {}) : {};
      return headers['x-amz-bucket-region'];
    }
  }
}
