export interface MagnetFields {
  readonly infoHashV1?: Uint8Array;
  readonly infoHashV2?: Uint8Array;
  readonly name?: string;
  /** Tracker URLs, every tier flattened in order. */
  readonly trackers?: readonly string[];
  readonly webSeeds?: readonly string[];
}

/**
 * A magnet link: `xt=urn:btih:<hex SHA-1>` (BEP 9) and/or `xt=urn:btmh:1220<hex SHA-256>` (BEP 52:
 * a multihash, 0x12 = SHA-256, 0x20 = 32 bytes), then `dn`, `tr` and `ws`, the order libtorrent's
 * make_magnet_uri writes them in. A hybrid torrent gets both `xt`s.
 */
export function magnetLink(fields: MagnetFields): string {
  if (!fields.infoHashV1 && !fields.infoHashV2) throw new RangeError('a magnet link needs an infohash');
  const params: string[] = [];
  if (fields.infoHashV1) params.push(`xt=urn:btih:${hex(fields.infoHashV1, 20)}`);
  if (fields.infoHashV2) params.push(`xt=urn:btmh:1220${hex(fields.infoHashV2, 32)}`);
  if (fields.name) params.push(`dn=${encodeURIComponent(fields.name)}`);
  for (const tracker of new Set(fields.trackers ?? [])) params.push(`tr=${encodeURIComponent(tracker)}`);
  for (const seed of fields.webSeeds ?? []) params.push(`ws=${encodeURIComponent(seed)}`);
  return `magnet:?${params.join('&')}`;
}

function hex(hash: Uint8Array, length: number): string {
  if (hash.length !== length) throw new RangeError(`expected a ${length}-byte infohash, got ${hash.length} bytes`);
  return Buffer.from(hash).toString('hex');
}
