import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ChunkResultStore } from '../ports/chunk-results';
import { JOB_RESULTS_PREFIX } from '../ports/hashing-job';

/** Chunk piece hashes as small objects `jobs/<execution>/chunk-000123` in the metadata bucket. */
export class S3ChunkResults implements ChunkResultStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(executionName: string, chunk: number, pieces: Uint8Array): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: chunkKey(executionName, chunk),
        Body: pieces,
        ContentType: 'application/octet-stream',
      }),
    );
  }

  async get(executionName: string, chunk: number): Promise<Uint8Array> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: chunkKey(executionName, chunk) }));
    if (out.Body === undefined) throw new Error(`chunk result ${chunkKey(executionName, chunk)} has no body`);
    return out.Body.transformToByteArray();
  }

  async deleteAll(executionName: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${JOB_RESULTS_PREFIX}${executionName}/`, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ Key: o.Key }]));
      if (keys.length > 0) {
        await this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }));
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return deleted;
  }
}

export function chunkKey(executionName: string, chunk: number): string {
  return `${JOB_RESULTS_PREFIX}${executionName}/chunk-${String(chunk).padStart(6, '0')}`;
}
