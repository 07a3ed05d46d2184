import type { PieceHashes, TorrentFormat } from '../../lambdas/core/build-info';

export interface HashRequest {
  readonly pieceLength: number;
  readonly format: TorrentFormat;
  /** Worker threads for a local file; ranged requests in flight for S3 and HTTP. */
  readonly threads: number;
  readonly onProgress?: (bytesHashed: number) => void;
}

/** The bytes a torrent is made from or checked against: a local file, an S3 object, a URL. */
export interface DataSource {
  /** How messages name it. */
  readonly label: string;
  /** The file name a torrent of it suggests (the last path segment), if it has one. */
  readonly name: string | undefined;
  readonly size: number;
  /** Piece hashes of all of it; throws if it changed since it was opened. */
  hash(request: HashRequest): Promise<PieceHashes>;
}
