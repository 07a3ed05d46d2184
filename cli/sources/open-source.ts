import { openLocalFile } from './local-file';
import type { DataSource } from './source';
import type { S3Settings } from './s3-object';

/** A local path, `s3://bucket/key`, or an http(s) URL (a presigned GET URL, say). */
export async function openSource(location: string, s3: S3Settings): Promise<DataSource> {
  // The AWS SDK takes a while to load: only S3 sources pay for it. (require, not import(): the
  // CLI runs as CommonJS through tsx's require hook, which dynamic import() would bypass.)
  if (location.startsWith('s3://')) return (require('./s3-object') as typeof import('./s3-object')).openS3Object(location, s3);
  if (/^https?:\/\//i.test(location)) return (require('./http-url') as typeof import('./http-url')).openHttpUrl(location);
  return openLocalFile(location);
}
