import type { TorrentFormat } from '../core/build-info';

/** Build options that change the info dict, and so the cache entry. */
export interface BuildOptions {
  /** BEP 27 `private=1`: clients use only the tracker (no DHT, PEX, LSD). Changes the infohash. */
  readonly private?: boolean;
  /** v1 (the default), v2 or hybrid (BEP 52). */
  readonly format?: TorrentFormat;
}

export const DEFAULT_VARIANT = 'v1';

/** The cache variant of a set of build options: `v1`, `v2`, `hybrid`, `v1+private`... */
export function variantOf(options: BuildOptions): string {
  const format = options.format ?? DEFAULT_VARIANT;
  return options.private ? `${format}+private` : format;
}

/** The build options a variant stands for (the workflow carries the variant, not the options). */
export function optionsOfVariant(variant: string): Required<BuildOptions> {
  const [format, flag] = variant.split('+');
  if (format !== 'v1' && format !== 'v2' && format !== 'hybrid') throw new RangeError(`unknown torrent variant: ${variant}`);
  return { format, private: flag === 'private' };
}
