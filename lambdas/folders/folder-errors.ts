import { FolderLayoutError } from '../core/folder-layout';
import { ServiceError } from '../http/errors';

/** A folder no torrent may describe, as HTTP says it: too big is 413, anything else about its contents 422. */
export function folderServiceError(err: unknown, bucket: string, prefix: string): unknown {
  if (!(err instanceof FolderLayoutError)) return err;
  const status = err.problem === 'TooManyFiles' || err.problem === 'TorrentTooLarge' ? 413 : 422;
  const code = err.problem === 'TooManyFiles' ? 'FolderTooLarge' : err.problem === 'EmptyFolder' ? 'EmptyFolder' : err.problem;
  return new ServiceError(status, code, `No torrent of ${bucket}/${prefix}: ${err.message}.`);
}
