/** An object as a listing shows it: enough to describe it in a torrent and pin reads to these bytes. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/** The objects under a prefix, page by page, in S3's order (UTF-8 bytes of the key). */
export interface ObjectListing {
  /** Throws ServiceError NoSuchBucket / AccessDenied. A caller may stop reading early (a folder over its limits). */
  list(bucket: string, prefix: string): AsyncIterable<readonly ListedObject[]>;
}
