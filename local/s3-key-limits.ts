import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * s3rver stores each object as files named after its key: every `/`-separated segment becomes a
 * directory or file name, and the last one gets a suffix (`._S3rver_metadata.json`, 22 bytes, is the
 * longest). File systems cap a name at 255 bytes, so a longer segment cannot be stored: s3rver then
 * throws ENAMETOOLONG from a write stream nobody listens to, which kills the process it runs in
 * (`npm start`), and answers 500 on reads. Real S3 only caps the whole key (1024 bytes).
 *
 * The stand-in answers such keys the way S3 answers keys it cannot have: reads get 404 NoSuchKey,
 * deletes 204, writes 400 KeyTooLongError with a message that says this is the local stand-in's limit.
 */
const MAX_NAME_BYTES = 255;
const LONGEST_S3RVER_SUFFIX = '._S3rver_metadata.json';
export const MAX_LOCAL_KEY_SEGMENT_BYTES = MAX_NAME_BYTES;
export const MAX_LOCAL_KEY_LAST_SEGMENT_BYTES = MAX_NAME_BYTES - LONGEST_S3RVER_SUFFIX.length;

/** Why the local S3 cannot store `key`, or undefined when it can. */
export function unstorableKeyReason(key: string): string | undefined {
  const segments = key.split('/');
  const last = segments.length - 1;
  for (const [i, segment] of segments.entries()) {
    const bytes = Buffer.byteLength(segment, 'utf8');
    const limit = i === last ? MAX_LOCAL_KEY_LAST_SEGMENT_BYTES : MAX_LOCAL_KEY_SEGMENT_BYTES;
    if (bytes > limit) {
      return (
        `The local S3 stand-in (s3rver) stores keys as files and cannot store a key segment of ${bytes} bytes ` +
        `(at most ${limit}${i === last ? ' for the last segment' : ''}); real S3 only limits the whole key to 1024 bytes.`
      );
    }
  }
  return undefined;
}

/** The object key a path-style request names (`/bucket/key`), or undefined for service and bucket requests. */
export function keyOfPathStyleRequest(url: string): string | undefined {
  const path = url.split('?', 1)[0] ?? '';
  const slash = path.indexOf('/', 1);
  if (slash < 0 || slash === path.length - 1) return undefined;
  try {
    return decodeURIComponent(path.slice(slash + 1));
  } catch {
    return undefined; // not percent-encoded properly: s3rver answers that itself
  }
}

/** The key of a copy's source (`x-amz-copy-source: /bucket/key` or `bucket/key`). */
function copySourceKey(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  return keyOfPathStyleRequest(header.startsWith('/') ? header : `/${header}`);
}

/**
 * Answers requests for keys the local S3 cannot store before s3rver sees them; true when it did.
 * Reads of such keys find nothing (404 NoSuchKey, a copy from one too), deletes succeed (204, as S3
 * deletes a missing key), writes are refused (400 KeyTooLongError).
 */
export function answerUnstorableKey(req: IncomingMessage, res: ServerResponse): boolean {
  const method = req.method ?? 'GET';
  const key = keyOfPathStyleRequest(req.url ?? '') ?? '';
  const source = copySourceKey(req.headers['x-amz-copy-source']) ?? '';
  const keyReason = unstorableKeyReason(key);
  if (keyReason === undefined && unstorableKeyReason(source) === undefined) return false;
  if (method === 'DELETE') res.writeHead(204).end();
  else if (method === 'GET' || method === 'HEAD') s3Error(res, method, 404, 'NoSuchKey', 'The specified key does not exist.', key);
  else if (keyReason !== undefined) s3Error(res, method, 400, 'KeyTooLongError', keyReason, key);
  else s3Error(res, method, 404, 'NoSuchKey', 'The specified key does not exist.', source);
  return true;
}

function s3Error(res: ServerResponse, method: string, status: number, code: string, message: string, key: string): void {
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>` +
    `<Key>${escapeXml(key)}</Key></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-error-code': code, 'content-length': Buffer.byteLength(xml) });
  // The body of a refused upload is not read: close the connection rather than drain it.
  if (method !== 'GET' && method !== 'HEAD') res.shouldKeepAlive = false;
  res.end(method === 'HEAD' ? undefined : xml);
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
