import bencodeLib from 'bencode';

/**
 * Values we bencode. Dictionaries are plain objects with text keys, or Maps when keys are binary
 * (BEP 52 `piece layers` is keyed by 32-byte hashes). `RawBencode` splices bytes that are already
 * bencoded, so a cached info dict keeps the exact bytes its infohash was computed over.
 */
export type BencodeValue =
  | number
  | string
  | Uint8Array
  | RawBencode
  | BencodeValue[]
  | Map<Uint8Array | string, BencodeValue>
  | { [key: string]: BencodeValue | undefined };

export class RawBencode {
  constructor(readonly bytes: Uint8Array) {}
}

const textEncoder = new TextEncoder();
const D = Uint8Array.of(0x64);
const L = Uint8Array.of(0x6c);
const E = Uint8Array.of(0x65);

/** Bencodes a value with dictionary keys sorted as raw bytes, as BEP 3 requires. */
export function bencode(value: BencodeValue): Uint8Array {
  if (!needsOwnEncoder(value)) return bencodeLib.encode(value);
  const parts: Uint8Array[] = [];
  encodeInto(parts, value);
  return Buffer.concat(parts);
}

/** Decodes bencode; byte strings come back as Uint8Array. Throws on malformed input. */
export function bdecode(bytes: Uint8Array): unknown {
  if (bytes.length === 0) throw new Error('empty bencode input');
  return bencodeLib.decode(bytes);
}

// The library handles plain objects, arrays and leaves correctly; it sorts Map keys by their
// string form (wrong for binary keys) and knows nothing of RawBencode.
function needsOwnEncoder(value: BencodeValue): boolean {
  if (value instanceof RawBencode || value instanceof Map) return true;
  if (value instanceof Uint8Array || typeof value !== 'object') return false;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.some((child) => child !== undefined && needsOwnEncoder(child));
}

function encodeInto(parts: Uint8Array[], value: BencodeValue): void {
  if (value instanceof RawBencode) {
    parts.push(value.bytes);
  } else if (value instanceof Map) {
    const entries = [...value.entries()].map(([k, v]) => [typeof k === 'string' ? textEncoder.encode(k) : k, v] as const);
    entries.sort(([a], [b]) => Buffer.compare(a, b));
    parts.push(D);
    for (const [k, v] of entries) {
      parts.push(bencodeLib.encode(k));
      encodeInto(parts, v);
    }
    parts.push(E);
  } else if (Array.isArray(value)) {
    parts.push(L);
    for (const item of value) encodeInto(parts, item);
    parts.push(E);
  } else if (typeof value === 'object' && !(value instanceof Uint8Array)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .map((k) => [k, textEncoder.encode(k)] as const)
      .sort(([, a], [, b]) => Buffer.compare(a, b));
    parts.push(D);
    for (const [k, kBytes] of keys) {
      parts.push(bencodeLib.encode(kBytes));
      encodeInto(parts, value[k] as BencodeValue);
    }
    parts.push(E);
  } else {
    parts.push(bencodeLib.encode(value));
  }
}
