/** A folder whose torrent someone asked for, and the build variants they asked for. */
export interface KnownFolder {
  readonly bucket: string;
  /** Ends in `/`. */
  readonly prefix: string;
  readonly variants: readonly string[];
}

/**
 * The folders whose torrents are kept current when an object under them changes: each build of a
 * folder torrent adds its prefix and variant, which stay known for a while after the last build
 * (a folder nobody asks for is not rebuilt on every upload forever).
 */
export interface KnownFolders {
  remember(bucket: string, prefix: string, variant: string): Promise<void>;
  /** The known folders holding `key`: every prefix of it that ends in `/`, nearest last. */
  above(bucket: string, key: string): Promise<KnownFolder[]>;
  forget(bucket: string, prefix: string): Promise<void>;
}

/** The prefixes ending in `/` that hold a key, outermost first: `a/b/c` -> `a/`, `a/b/`. */
export function prefixesAbove(key: string): string[] {
  const prefixes: string[] = [];
  for (let at = key.indexOf('/'); at >= 0 && at < key.length - 1; at = key.indexOf('/', at + 1)) prefixes.push(key.slice(0, at + 1));
  return prefixes;
}
