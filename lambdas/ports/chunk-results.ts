/** The piece hashes of each chunk of a running job, between "Hash chunk" and "Assemble torrent". */
export interface ChunkResultStore {
  put(executionName: string, chunk: number, pieces: Uint8Array): Promise<void>;
  /** Throws when the chunk has no result. */
  get(executionName: string, chunk: number): Promise<Uint8Array>;
  /** Deletes every chunk result of an execution; returns how many. */
  deleteAll(executionName: string): Promise<number>;
}
