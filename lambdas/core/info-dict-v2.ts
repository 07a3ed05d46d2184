import { bencode, type BencodeValue } from './bencode';
import { encodeInfoV1, type InfoV1 } from './info-dict';
import { assertV2PieceLength, sha256, SHA256_LENGTH } from './merkle';

/** A single-file BitTorrent v2 info dictionary (BEP 52). */
export interface InfoV2 {
  readonly name: string;
  readonly length: number;
  readonly pieceLength: number;
  /** The root of the file's merkle tree (see merkle.ts). */
  readonly piecesRoot: Uint8Array;
  readonly private?: boolean;
  readonly source?: string;
}

/** A hybrid info dict: the v1 keys and the v2 keys of the same single file, side by side. */
export type InfoHybrid = InfoV1 & Pick<InfoV2, 'piecesRoot'>;

/**
 * Bencodes a v2 info dict as libtorrent's create_torrent writes it for one file: `file tree`
 * `{name: {'': {length, pieces root}}}`, `meta version` 2, `name`, `piece length`, and
 * `private`/`source` when asked for.
 */
export function encodeInfoV2(info: InfoV2): Uint8Array {
  assertV2Fields(info);
  return bencode(v2Keys(info));
}

/**
 * Bencodes a hybrid info dict: for a single file libtorrent writes the v1 `length` and `pieces`
 * beside the v2 keys (no `files` list, so no padding files are needed).
 */
export function encodeInfoHybrid(info: InfoHybrid): Uint8Array {
  assertV2Fields(info);
  encodeInfoV1(info); // validates the v1 half the same way a v1 torrent is validated
  return bencode({ ...v2Keys(info), length: info.length, pieces: info.pieces });
}

/** The v2 infohash: SHA-256 over the bencoded info dict. Trackers and DHT use its first 20 bytes. */
export function infoHashV2(encodedInfo: Uint8Array): Uint8Array {
  return sha256(encodedInfo);
}

/** The bencoded `piece layers` dict of a single-file torrent: `{pieces root: layer}`. */
export function encodePieceLayers(piecesRoot: Uint8Array, pieceLayer: Uint8Array): Uint8Array {
  return bencode(new Map<Uint8Array, BencodeValue>([[piecesRoot, pieceLayer]]));
}

function v2Keys(info: InfoV2): Record<string, BencodeValue | undefined> {
  // A Map, so a name like `__proto__` is an ordinary key.
  const fileTree = new Map<string, BencodeValue>([[info.name, { '': { length: info.length, 'pieces root': info.piecesRoot } }]]);
  return {
    'file tree': fileTree,
    'meta version': 2,
    name: info.name,
    'piece length': info.pieceLength,
    private: info.private ? 1 : undefined,
    source: info.source,
  };
}

function assertV2Fields(info: InfoV2): void {
  if (info.name.length === 0) throw new RangeError('torrent name must not be empty');
  // In a v2 file tree the name is one path element.
  if (info.name.includes('/') || info.name === '.' || info.name === '..')
    throw new RangeError(`invalid file name for a v2 torrent: ${info.name}`);
  if (!Number.isSafeInteger(info.length) || info.length <= 0) throw new RangeError(`invalid length: ${info.length}`);
  assertV2PieceLength(info.pieceLength);
  if (info.piecesRoot.length !== SHA256_LENGTH) throw new RangeError(`pieces root must be 32 bytes, got ${info.piecesRoot.length}`);
}
