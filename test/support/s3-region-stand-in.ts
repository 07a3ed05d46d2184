import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny stand-in for one S3 bucket in a region other than the client's, answering as S3 does
 * (s3rver cannot play another region, and never checks signatures):
 * - a request signed for another region gets 301 PermanentRedirect with `x-amz-bucket-region`;
 * - a presigned URL (query-string SigV4) is verified in full, method included, as S3 does, and
 *   answered 403 SignatureDoesNotMatch when it does not match;
 * - HeadBucket, HeadObject and ranged GetObject of its one object, path-style.
 */
export interface RegionStandIn {
  readonly endpoint: string;
  /** Every request: method, path, and what was answered. */
  readonly log: { method: string; path: string; status: number }[];
  stop(): Promise<void>;
}

export interface RegionStandInOptions {
  readonly region: string;
  readonly bucket: string;
  readonly key: string;
  readonly body: Buffer;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
}

const ETAG = '"0123456789abcdef0123456789abcdef"';

export async function startRegionStandIn(options: RegionStandInOptions): Promise<RegionStandIn> {
  const log: RegionStandIn['log'] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = answer(options, req, res);
      log.push({ method: req.method ?? '', path: req.url ?? '', status });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(o: RegionStandInOptions, req: IncomingMessage, res: ServerResponse): number {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const method = req.method ?? 'GET';
  const send = (status: number, headers: Record<string, string | number> = {}, body: string | Buffer = '') => {
    res.writeHead(status, { 'x-amz-bucket-region': o.region, ...headers });
    res.end(method === 'HEAD' ? undefined : body);
    return status;
  };
  const error = (status: number, code: string) =>
    send(
      status,
      { 'content-type': 'application/xml' },
      `<?xml version="1.0"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`,
    );

  const presigned = url.searchParams.has('X-Amz-Signature');
  const scope = presigned ? url.searchParams.get('X-Amz-Credential') : /Credential=([^,]+)/.exec(req.headers.authorization ?? '')?.[1];
  const signedRegion = scope?.split('/')[2];
  if (signedRegion !== o.region) return error(301, 'PermanentRedirect');
  if (presigned && !presignedSignatureMatches(o, method, url, req.headers.host ?? '')) return error(403, 'SignatureDoesNotMatch');

  const path = decodeURIComponent(url.pathname).replace(/^\//, '');
  if (path === o.bucket || path === `${o.bucket}/`) return method === 'HEAD' ? send(200) : error(405, 'MethodNotAllowed');
  if (path !== `${o.bucket}/${o.key}`) return error(404, 'NoSuchKey');
  const common = { etag: ETAG, 'accept-ranges': 'bytes', 'last-modified': new Date(0).toUTCString() };
  if (method === 'HEAD') return send(200, { ...common, 'content-length': o.body.length });
  if (method !== 'GET') return error(405, 'MethodNotAllowed');
  const range = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers.range ?? ''));
  if (!range) return send(200, { ...common, 'content-length': o.body.length }, o.body);
  const start = Number(range[1]);
  const end = Math.min(Number(range[2]), o.body.length - 1);
  res.writeHead(206, {
    'x-amz-bucket-region': o.region,
    ...common,
    'content-length': end - start + 1,
    'content-range': `bytes ${start}-${end}/${o.body.length}`,
  });
  res.end(o.body.subarray(start, end + 1));
  return 206;
}

/** SigV4 query-string authentication, computed from the AWS documentation (not with the SDK's signer). */
function presignedSignatureMatches(o: RegionStandInOptions, method: string, url: URL, host: string): boolean {
  const q = url.searchParams;
  const [accessKeyId, date, region, service] = (q.get('X-Amz-Credential') ?? '').split('/');
  if (accessKeyId !== o.credentials.accessKeyId) return false;
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  const canonicalQuery = [...q.entries()]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [uriEncode(name), uriEncode(value)])
    .sort(([a, av], [b, bv]) => (a! < b! ? -1 : a! > b! ? 1 : av! < bv! ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers: Record<string, string> = { host };
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(headers[h] ?? '').trim()}\n`).join('');
  const canonicalRequest = [method, url.pathname, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', q.get('X-Amz-Date'), scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key: Buffer = Buffer.from(`AWS4${o.credentials.secretAccessKey}`);
  for (const part of [date, region, service, 'aws4_request'])
    key = createHmac('sha256', key)
      .update(part ?? '')
      .digest();
  return createHmac('sha256', key).update(toSign).digest('hex') === q.get('X-Amz-Signature');
}

const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
