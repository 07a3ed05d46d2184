import { TrackerError } from './tracker-error';

/** Every value of every parameter, in order; names are text, values stay raw bytes. */
export type QueryParams = ReadonlyMap<string, readonly Uint8Array[]>;

const PERCENT = 0x25;
const PLUS = 0x2b;
const SPACE = 0x20;

/**
 * Decodes a raw query string the way trackers must: `info_hash` and `peer_id` are arbitrary bytes,
 * percent-encoded, so values are decoded to bytes and never through UTF-8 (which would replace
 * invalid sequences and change the hash). `+` is a space, as in form encoding; clients escape a
 * literal `+` as `%2B`.
 */
export function parseQueryString(raw: string): QueryParams {
  const params = new Map<string, Uint8Array[]>();
  for (const part of raw.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const name = Buffer.from(percentDecode(eq < 0 ? part : part.slice(0, eq))).toString('latin1');
    const value = percentDecode(eq < 0 ? '' : part.slice(eq + 1));
    const values = params.get(name);
    if (values) values.push(value);
    else params.set(name, [value]);
  }
  return params;
}

export function percentDecode(text: string): Uint8Array {
  const input = Buffer.from(text, 'utf8');
  const out = new Uint8Array(input.length);
  let length = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i] as number;
    if (byte === PERCENT) {
      const high = hexValue(input[i + 1]);
      const low = hexValue(input[i + 2]);
      if (high < 0 || low < 0) throw new TrackerError('malformed query string: "%" must be followed by two hex digits');
      out[length++] = (high << 4) | low;
      i += 2;
    } else {
      out[length++] = byte === PLUS ? SPACE : byte;
    }
  }
  return out.subarray(0, length);
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** Percent-encodes bytes as clients do for `info_hash` and `peer_id`: everything but RFC 3986 unreserved characters. */
export function percentEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  return -1;
}
