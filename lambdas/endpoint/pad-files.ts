import { MAX_PIECE_LENGTH } from '../core/piece-length';
import { ServiceError } from '../http/errors';
import type { HttpResult } from '../http/http';
import type { ObjectStore } from '../ports/object-store';

/**
 * BEP 47 pad files on the web seed. A folder torrent's pad files (`.pad/<length>`, zeros) are not
 * objects; clients that know BEP 47 never ask for them, but those that do not (Transmission 3,
 * aria2) download them like any file, from `<web seed>/<name>/.pad/<length>`. Such a request is
 * answered with that many zeros (by Range), unless an object really has that key.
 */
const PAD_PATH = /(?:^|\/)\.pad\/([1-9][0-9]{0,9})$/;

/**
 * Zeros are sent by the endpoint itself, so at most this many per response: a Lambda response
 * carries 6 MB of base64. Pad files are shorter than a piece, so this covers every pad of folders
 * up to 8 GiB (4 MiB pieces); a longer range gets its first 4 MiB (206, Content-Range says so) and
 * the client asks for the rest.
 */
export const MAX_ZEROS_PER_RESPONSE = 4 * 1024 * 1024;

/** The length of the pad file a web-seed key names, if it names one. */
export function padFileLength(key: string): number | undefined {
  const match = PAD_PATH.exec(key);
  const length = match ? Number(match[1]) : undefined;
  return length !== undefined && length < MAX_PIECE_LENGTH ? length : undefined;
}

/** The answer to a web-seed request for a pad file that is not an object; undefined for any other key. */
export async function padFileResponse(
  store: ObjectStore,
  bucket: string,
  key: string,
  range: string | undefined,
): Promise<HttpResult | undefined> {
  const length = padFileLength(key);
  if (length === undefined) return undefined;
  try {
    await store.head(bucket, key);
    return undefined; // a real object: served like any other
  } catch (err) {
    if (!(err instanceof ServiceError && err.code === 'NoSuchKey')) throw err;
  }
  return zerosResponse(length, range);
}

/** `length` zeros, or the part of them a single `Range` asks for (several ranges: all of them, 200). */
export function zerosResponse(length: number, range: string | undefined): HttpResult {
  const headers = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'public, max-age=86400',
  };
  const asked = range === undefined ? undefined : singleRange(range, length);
  if (asked === 'unsatisfiable') {
    throw new ServiceError(416, 'InvalidRange', `The pad file has ${length} bytes.`, { 'content-range': `bytes */${length}` });
  }
  if (asked === undefined && length <= MAX_ZEROS_PER_RESPONSE) {
    return { statusCode: 200, headers, body: Buffer.alloc(length).toString('base64'), isBase64Encoded: true };
  }
  const start = asked?.start ?? 0;
  const end = Math.min(asked?.end ?? length - 1, start + MAX_ZEROS_PER_RESPONSE - 1);
  return {
    statusCode: 206,
    headers: { ...headers, 'content-range': `bytes ${start}-${end}/${length}` },
    body: Buffer.alloc(end - start + 1).toString('base64'),
    isBase64Encoded: true,
  };
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range, clamped to the length; undefined for several. */
function singleRange(header: string, length: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const specs = /^bytes=(.+)$/.exec(header.trim())?.[1]?.split(',');
  if (specs === undefined || specs.length !== 1) return undefined;
  const m = /^\s*(\d*)-(\d*)\s*$/.exec(specs[0] as string);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 ? 'unsatisfiable' : { start: Math.max(0, length - suffix), end: length - 1 };
  }
  const start = Number(m[1]);
  if (start >= length) return 'unsatisfiable';
  return { start, end: m[2] === '' ? length - 1 : Math.min(Number(m[2]), length - 1) };
}
