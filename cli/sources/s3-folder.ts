import { S3ObjectListing } from '../../lambdas/adapters/s3-object-listing';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store';
import { FolderLayoutError } from '../../lambdas/core/folder-layout';
import { ServiceError } from '../../lambdas/http/errors';
import { folderNameOf, listFolder, type FolderObject } from '../../lambdas/folders/folder-listing';
import { hashFolderEndToEnd, hashObjects, type RangeReader } from '../../lambdas/folders/hash-objects';
import { inputError } from '../errors';
import type { FolderSource } from './folder-source';
import { s3ClientFor, type S3Settings } from './s3-object';

/**
 * Every object under `s3://bucket/prefix/`, as the endpoint sees the folder: one listing, folder
 * markers left out, reads pinned to each object's listed ETag (a change midway is an error).
 */
export async function openS3Folder(url: string, settings: S3Settings): Promise<FolderSource & { close(): void }> {
  const match = /^s3:\/\/([^/]+)\/(.*\/)$/.exec(url);
  if (!match) throw inputError(`${url} is not an s3://bucket/prefix/ URL`);
  const [, bucket, prefix] = match as unknown as [string, string, string];
  const s3 = s3ClientFor(settings);
  const store = new S3ObjectStore(s3);
  let objects: FolderObject[];
  try {
    objects = await listFolder(new S3ObjectListing(s3), bucket, prefix);
  } catch (err) {
    s3.destroy();
    throw inputError(
      `cannot list ${url}: ${err instanceof ServiceError || err instanceof FolderLayoutError ? err.message : (err as Error).message}`,
    );
  }
  if (objects.length === 0) {
    s3.destroy();
    throw inputError(`${url} has no objects`);
  }
  const readerOf = (o: FolderObject): RangeReader => ({
    size: o.size,
    read: (range) => store.readRange({ bucket, key: o.key, size: o.size, etag: o.etag }, range),
  });
  const failed = (err: unknown) => inputError(`cannot read ${url}: ${(err as Error).message}`);
  return {
    label: url,
    name: folderNameOf(prefix),
    files: objects,
    async hashFiles(request, only) {
      const chosen = (only ?? objects.map((_, i) => i)).map((i) => objects[i] as FolderObject);
      return hashObjects(chosen.map(readerOf), request.pieceLength, request.kinds, {
        concurrency: request.threads,
        onProgress: request.onProgress,
      }).catch((err: unknown) => {
        throw failed(err);
      });
    },
    async hashEndToEnd(layout, request) {
      return hashFolderEndToEnd(
        layout,
        layout.files.map((f) => readerOf(objects[f.source] as FolderObject)),
        { concurrency: request.threads, onProgress: request.onProgress },
      ).catch((err: unknown) => {
        throw failed(err);
      });
    },
    close: () => s3.destroy(),
  };
}
