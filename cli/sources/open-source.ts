import { openLocalFile } from './local-file';
import type { DataSource } from './source';
import type { S3Settings } from './s3-object';

/** A local path, `s3://bucket/key`, or an http(s) URL (a presigned GET URL, say). */
export async function openSource(location: string, s3: S3Settings): Promise<DataSource> {
  if (location.startsWith('s3://')) {
    // The AWS SDK takes a while to load: only S3 sources pay for it.
    const { openS3Object } = await import('./s3-object');
    return openS3Object(location, s3);
  }
  if (/^https?:\/\//i.test(location)) {
    const { openHttpUrl } = await import('./http-url');
    return openHttpUrl(location);
  }
  return openLocalFile(location);
}
