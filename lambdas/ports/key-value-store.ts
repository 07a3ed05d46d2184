/**
 * The edge's key-value store (CloudFront KeyValueStore): written by the gate publisher, read by the
 * edge function. Its documented limits: keys up to 512 characters, values up to 1,024, 5 MB in all;
 * writes need the store's current ETag (the adapter handles that).
 */
export const KVS_LIMITS = { keyLength: 512, valueLength: 1024, totalBytes: 5 * 1024 * 1024, changesPerUpdate: 50 } as const;

export interface KeyValueChanges {
  readonly puts: readonly { readonly key: string; readonly value: string }[];
  readonly deletes: readonly string[];
}

export interface KeyValueStore {
  /**
   * Applies puts and deletes, in batches of at most `changesPerUpdate`, each all-or-nothing. A key
   * both put and deleted in one call is a caller error. Deleting an absent key is not an error.
   */
  update(changes: KeyValueChanges): Promise<void>;
  /** The value of `key`, or undefined when the store has none. */
  get(key: string): Promise<string | undefined>;
}

/** The store refused the changes (a limit broken); retrying the same changes cannot help. */
export class KeyValueStoreLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyValueStoreLimitError';
  }
}

/** Splits changes into batches the store takes in one update. */
export function batchesOf(changes: KeyValueChanges, size: number = KVS_LIMITS.changesPerUpdate): KeyValueChanges[] {
  const all = [...changes.puts.map((put) => ({ put })), ...changes.deletes.map((key) => ({ key }))];
  const batches: KeyValueChanges[] = [];
  for (let i = 0; i < all.length; i += size) {
    const slice = all.slice(i, i + size);
    batches.push({
      puts: slice.flatMap((c) => ('put' in c ? [c.put] : [])),
      deletes: slice.flatMap((c) => ('key' in c ? [c.key] : [])),
    });
  }
  return batches;
}
