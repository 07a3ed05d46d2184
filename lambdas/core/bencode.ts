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

/**
 * What `bdecodeExact` gives: integers, byte strings, lists, and dicts as Maps whose keys are the
 * raw key bytes as a latin1 string (one character per byte), so binary keys such as the merkle
 * roots of BEP 52 `piece layers` survive, and text keys read as usual (`dict.get('info')`).
 */
export type BDecoded = number | Uint8Array | BDecoded[] | BDict;
export type BDict = Map<string, BDecoded>;

export interface ExactDecoding {
  readonly value: BDecoded;
  /** The exact bytes of each value of the top-level dict: an infohash is computed over `info` as written. */
  readonly rawTopLevel: Map<string, Uint8Array>;
}

const MAX_DEPTH = 256;

/**
 * A strict decoder for reading torrents written by any tool. The library's decoder cannot serve
 * here: it turns dict keys into UTF-8 strings (mangling binary keys), cannot say where a value's
 * bytes lie, and accepts trailing bytes. This one rejects malformed input (leading zeros, `-0`,
 * duplicate keys, trailing data, unsafe integers) and tolerates unsorted keys, which some tools write.
 */
export function bdecodeExact(bytes: Uint8Array): ExactDecoding {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const rawTopLevel = new Map<string, Uint8Array>();
  let pos = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`invalid bencode at byte ${pos}: ${what}`);
  };
  const digitsUntil = (terminator: number): string => {
    const end = data.indexOf(terminator, pos);
    if (end < 0) fail('unterminated number');
    const text = data.toString('latin1', pos, end);
    pos = end + 1;
    return text;
  };
  const next = (depth: number): BDecoded => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    const c = data[pos];
    if (c === undefined) return fail('unexpected end of input');
    if (c === 0x69 /* i */) {
      pos++;
      const text = digitsUntil(0x65 /* e */);
      if (!/^(0|-?[1-9][0-9]*)$/.test(text)) fail(`malformed integer ${JSON.stringify(text)}`);
      const n = Number(text);
      if (!Number.isSafeInteger(n)) fail(`integer out of range: ${text}`);
      return n;
    }
    if (c >= 0x30 && c <= 0x39) {
      const text = digitsUntil(0x3a /* : */);
      if (!/^(0|[1-9][0-9]*)$/.test(text)) fail(`malformed string length ${JSON.stringify(text)}`);
      const end = pos + Number(text);
      if (end > data.length) fail('string runs past the end of input');
      const out = data.subarray(pos, end);
      pos = end;
      return out;
    }
    if (c === 0x6c /* l */) {
      pos++;
      const list: BDecoded[] = [];
      while (data[pos] !== 0x65) list.push(next(depth + 1));
      pos++;
      return list;
    }
    if (c === 0x64 /* d */) {
      pos++;
      const dict: BDict = new Map();
      while (data[pos] !== 0x65) {
        if (data[pos] === undefined) fail('unterminated dict');
        const key = next(depth + 1);
        if (!(key instanceof Uint8Array)) return fail('dict key is not a string');
        const keyText = Buffer.from(key).toString('latin1');
        if (dict.has(keyText)) fail(`duplicate key ${JSON.stringify(keyText)}`);
        const start = pos;
        dict.set(keyText, next(depth + 1));
        if (depth === 0) rawTopLevel.set(keyText, data.subarray(start, pos));
      }
      pos++;
      return dict;
    }
    return fail(`unexpected byte 0x${c.toString(16)}`);
  };
  if (data.length === 0) throw new SyntaxError('empty bencode input');
  const value = next(0);
  if (pos !== data.length) fail('trailing data after the value');
  return { value, rawTopLevel };
}
