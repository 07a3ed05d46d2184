/** A torrent this service built, announced to the tracker so it will serve the infohash. */
export interface RegisteredTorrent {
  /** Hex infohashes clients announce with (v1, and the truncated v2 hash for v2/hybrid). */
  readonly infoHashes: readonly string[];
  readonly bucket: string;
  readonly key: string;
  readonly name: string;
  readonly size: number;
  /** BEP 27 private torrent: the tracker serves it only through its announce token URL. */
  readonly private: boolean;
}

export interface TorrentRegistry {
  register(torrent: RegisteredTorrent): Promise<void>;
}
