import type { FolderFile, FolderLayout } from '../../lambdas/core/folder-layout';
import type { HashKind, ObjectHashes } from '../../lambdas/core/object-hashes';

export interface FolderHashRequest {
  readonly pieceLength: number;
  /** Worker threads for a local folder; ranged requests in flight for S3. */
  readonly threads: number;
  readonly onProgress?: (bytesHashed: number) => void;
}

/** A folder a torrent is made from or checked against: a local directory or an S3 prefix. */
export interface FolderSource {
  /** How messages name it. */
  readonly label: string;
  /** The name its torrent suggests: the directory's, or the prefix's last segment. */
  readonly name: string | undefined;
  /** Its files, paths below the folder; the indexes below refer to this list. */
  readonly files: readonly FolderFile[];
  /** Each file's own hashes (of the kinds asked), in `files` order: what a BEP 47 torrent is made of. */
  hashFiles(request: FolderHashRequest & { readonly kinds: readonly HashKind[] }, only?: readonly number[]): Promise<ObjectHashes[]>;
  /** The v1 pieces of the layout's files end to end, pad files as zeros. */
  hashEndToEnd(layout: FolderLayout, request: FolderHashRequest): Promise<Uint8Array>;
}
