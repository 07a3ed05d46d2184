import { torrentNameForKey } from '../../lambdas/core/torrent-name';
import type { ByteRange } from '../../lambdas/core/ranges';
import { ServiceError } from '../../lambdas/http/errors';
import { concatPieceHashes, TorrentPieceHasher } from '../../lambdas/core/build-info';
import { hashRangesInParallel } from '../../lambdas/torrents/hash-object';
import { inputError } from '../errors';
import type { DataSource, HashRequest } from './source';

/**
 * A file behind an http(s) URL, a presigned S3 GET URL above all. A presigned URL signs one method,
 * so HEAD is refused: the size comes from a one-byte ranged GET (`Content-Range: bytes 0-0/<size>`).
 * Ranges are then read in parallel, each pinned with `If-Match` to the ETag of that first answer,
 * so an object overwritten midway fails instead of mixing two versions.
 */
export async function openHttpUrl(url: string): Promise<DataSource> {
  const first = await get(url, { range: 'bytes=0-0' }).catch((err: Error) => {
    throw inputError(err.message);
  });
  const etag = first.headers.get('etag') ?? undefined;
  let size: number;
  let rangesSupported = true;
  if (first.status === 206) {
    const total = /\/(\d+)$/.exec(first.headers.get('content-range') ?? '');
    if (!total) throw inputError(`${url} answered a range request without a Content-Range total`);
    size = Number(total[1]);
  } else if (first.status === 416) {
    size = 0; // no byte 0 to send: the object is empty
  } else if (first.status === 200) {
    // A server that ignores Range sends the whole body: it will be read in one stream.
    size = Number(first.headers.get('content-length') ?? NaN);
    rangesSupported = false;
    if (!Number.isSafeInteger(size)) throw inputError(`${url} gives neither Content-Range nor Content-Length: its size is unknown`);
  } else {
    throw inputError(`cannot read ${url}: HTTP ${first.status}${await errorCode(first)}`);
  }
  await first.body?.cancel();
  // Weak ETags never match If-Match: pin only to a strong one.
  const pin = etag !== undefined && !etag.startsWith('W/') ? etag : undefined;

  const read = async function* (range: ByteRange): AsyncIterable<Uint8Array> {
    const res = await get(url, rangesSupported ? { range: `bytes=${range.start}-${range.end - 1}`, ifMatch: pin } : {});
    if (res.status === 412) throw new ServiceError(409, 'ObjectChanged', `${url} changed while it was being hashed`);
    if (res.status !== (rangesSupported ? 206 : 200)) {
      throw new ServiceError(
        res.status,
        'HttpError',
        `HTTP ${res.status}${await errorCode(res)} for bytes ${range.start}-${range.end - 1}`,
      );
    }
    const answered = res.headers.get('etag') ?? undefined;
    if (pin !== undefined && answered !== undefined && answered !== pin)
      throw new ServiceError(409, 'ObjectChanged', `${url} changed while it was being hashed`);
    let received = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      received += chunk.length;
      if (received > range.end - range.start) throw new Error(`${url} sent more bytes than asked for`);
      yield chunk;
    }
    if (received !== range.end - range.start) throw new Error(`${url} ended after ${received} of ${range.end - range.start} bytes`);
  };

  return {
    label: redact(url),
    name: nameOf(url),
    size,
    async hash(request: HashRequest) {
      try {
        const newHasher = () => new TorrentPieceHasher(request.pieceLength, request.format);
        const parts = await hashRangesInParallel(read, { start: 0, end: size }, request.pieceLength, newHasher, {
          concurrency: rangesSupported ? request.threads : 1,
          // Without ranges the whole body is one read: one range of all the pieces.
          rangeBytes: rangesSupported ? undefined : Math.ceil(size / request.pieceLength) * request.pieceLength,
          onProgress: (p) => request.onProgress?.(p.bytesHashed),
        });
        return concatPieceHashes(parts);
      } catch (err) {
        throw inputError(`cannot read ${redact(url)}: ${(err as Error).message}`);
      }
    },
  };
}

async function get(url: string, headers: { range?: string; ifMatch?: string }): Promise<Response> {
  try {
    return await fetch(url, {
      headers: { ...(headers.range ? { range: headers.range } : {}), ...(headers.ifMatch ? { 'if-match': headers.ifMatch } : {}) },
      redirect: 'follow',
    });
  } catch (err) {
    const cause = (err as { cause?: Error }).cause;
    throw new Error(`cannot reach ${redact(url)}: ${cause?.message ?? (err as Error).message}`);
  }
}

/** The S3 error code of an XML error body, when there is one (AccessDenied, NoSuchKey, SignatureDoesNotMatch...). */
async function errorCode(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  const code = /<Code>([^<]+)<\/Code>/.exec(text);
  return code ? ` (${code[1]})` : '';
}

/** The last path segment, percent-decoded: `.../bucket/dir/movie%20one.mkv?X-Amz-...` names `movie one.mkv`. */
function nameOf(url: string): string | undefined {
  const path = new URL(url).pathname;
  try {
    return torrentNameForKey(decodeURIComponent(path));
  } catch {
    return torrentNameForKey(path);
  }
}

/** Presigned query strings are credentials: messages show the URL without them. */
export function redact(url: string): string {
  const parsed = new URL(url);
  return parsed.search ? `${parsed.origin}${parsed.pathname}?…` : url;
}
