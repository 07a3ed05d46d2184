import type { ByteRange } from '../core/ranges';

/** What HEAD tells us about an object. */
export interface ObjectHead {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  /** Set only for objects in versioned buckets (never S3's "null" version). */
  readonly versionId?: string;
  readonly lastModified?: Date;
}

/**
 * The identity a torrent is built from and cached under: the version id where the bucket is
 * versioned (immutable), else the ETag (changes with the bytes).
 */
export function objectIdentity(head: Pick<ObjectHead, 'etag' | 'versionId'>): string {
  return head.versionId !== undefined ? `version:${head.versionId}` : `etag:${head.etag}`;
}

export interface PresignOptions {
  readonly versionId?: string;
  readonly expiresInSeconds: number;
  /** The method the URL will be used with (default GET): a SigV4 signature covers it. */
  readonly method?: 'GET' | 'HEAD';
}

export interface ObjectStore {
  /** Throws ServiceError NoSuchBucket / NoSuchKey / AccessDenied. */
  head(bucket: string, key: string): Promise<ObjectHead>;
  /**
   * Streams a byte range of exactly the object `head` describes (pinned with If-Match and the
   * version id); throws ObjectChangedError if it was overwritten since.
   */
  readRange(head: ObjectHead, range: ByteRange): AsyncIterable<Uint8Array>;
  /** A presigned URL for the object's bytes (GetObject), or its headers with `method: 'HEAD'` (HeadObject). */
  presignGet(bucket: string, key: string, options: PresignOptions): Promise<string>;
}
