import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { KeyObject } from 'node:crypto';
import { edgeSourcesOf, webSeedFunctionSource } from '../lambdas/edge/function-source';
import { CLOUDFRONT_PRIVATE_PREFIX, WEB_SEED_ORIGIN_PREFIX } from '../lambdas/web-seeds/cloudfront-paths';
import { SIGNED_URL_PARAMETERS, verifyCloudFrontSignedUrl } from '../lambdas/security/cloudfront-signed-urls';
import {
  forwardedQuery,
  loadCloudFrontFunction,
  responseBody,
  viewerRequestEvent,
  type KeyValueReader,
  type LoadedFunction,
} from './cloudfront-function-shim';
import { freePort } from './ports';

/**
 * The local stand-in for the web seed's CloudFront distribution: a `/-/private/*` request must
 * carry a URL signed by a trusted key (the private behaviour's key group), then every request runs
 * the distribution's viewer-request function (lambdas/edge/web-seed-gate.js with the allowlist
 * written in, under the shim, reading the local KeyValueStore), then the gateway either answers
 * what the function answered or fetches the object from the bucket's S3 origin (the local S3) as
 * CloudFront would, signing parameters left out. It counts what it serves, per client, for tests
 * and `npm run bench:offload`. No caching: every byte served is an origin byte.
 */
export interface WebSeedGatewayOptions {
  readonly port?: number;
  /** The local S3 that holds every bucket (the origins `s3-<bucket>`). */
  readonly s3Endpoint: string;
  readonly kvs: KeyValueReader;
  /** The service's source allowlist (`*` or entries), written into the function as the stack does. */
  readonly sources: string;
  /** The private behaviour's key group: public keys by key-pair id. */
  readonly trustedKeys?: ReadonlyMap<string, string | KeyObject>;
  /** Caps each origin response at this many bytes/s (the benchmark's S3 rate); unset: no cap. */
  readonly originBytesPerSecond?: number;
}

export interface ServedCounts {
  requests: number;
  /** Requests the function answered itself with a park. */
  parked: number;
  /** Body bytes sent from the origin. */
  originBytes: number;
}

export interface WebSeedGateway {
  readonly url: string;
  readonly port: number;
  /** Totals, and the same per User-Agent (the benchmark gives each downloader its own). */
  readonly totals: ServedCounts;
  readonly byUserAgent: Map<string, ServedCounts>;
  /** Changes the origin rate cap (the benchmark runs scenarios with different caps). */
  setOriginRate(bytesPerSecond: number | undefined): void;
  resetCounts(): void;
  stop(): Promise<void>;
}

/** Headers of an S3 response a viewer gets through CloudFront. */
const PASSED_RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'content-range',
  'accept-ranges',
  'etag',
  'last-modified',
  'x-amz-version-id',
];
/** Headers of a viewer request that reach an S3 origin (the CachingDisabled/AllViewerExceptHostHeader shape). */
const FORWARDED_REQUEST_HEADERS = ['range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'if-range'];

export async function startWebSeedGateway(options: WebSeedGatewayOptions): Promise<WebSeedGateway> {
  const port = options.port ?? (await freePort());
  const fn: LoadedFunction = loadCloudFrontFunction(webSeedFunctionSource(edgeSourcesOf(options.sources)), options.kvs);
  const origin = new URL(options.s3Endpoint);
  let rate = options.originBytesPerSecond;
  const totals: ServedCounts = { requests: 0, parked: 0, originBytes: 0 };
  const byUserAgent = new Map<string, ServedCounts>();
  const countsOf = (ua: string) => {
    let counts = byUserAgent.get(ua);
    if (counts === undefined) byUserAgent.set(ua, (counts = { requests: 0, parked: 0, originBytes: 0 }));
    return counts;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const userAgent = req.headers['user-agent'] ?? '';
    const counts = [totals, countsOf(userAgent)];
    for (const c of counts) c.requests++;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
    let target = req.url ?? '/';
    if (target.startsWith(`${CLOUDFRONT_PRIVATE_PREFIX}/`)) {
      const check = verifyCloudFrontSignedUrl(`http://127.0.0.1:${port}${target}`, {
        publicKeys: options.trustedKeys ?? new Map(),
        now: new Date(),
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
      });
      if (!check.ok) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end(`${check.reason}\n`);
        return;
      }
      target = withoutSigningParameters(target);
    }
    const outcome = await fn.run(
      viewerRequestEvent({
        method: req.method ?? 'GET',
        target,
        headers,
        viewerIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        domain: `127.0.0.1:${port}`,
        requestId: randomUUID(),
      }),
    );
    if (outcome.kind === 'response') {
      const { response } = outcome;
      if (response.headers?.['x-web-seed']?.value === 'parked') for (const c of counts) c.parked++;
      const body = responseBody(response);
      const out: Record<string, string> = { 'content-length': String(body.length) };
      for (const [name, header] of Object.entries(response.headers ?? {})) out[name] = header.value;
      res.writeHead(response.statusCode, response.statusDescription ?? '', out);
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const originId = outcome.originId;
    if (originId === undefined || !originId.startsWith(WEB_SEED_ORIGIN_PREFIX)) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('The function selected no S3 origin.\n');
      return;
    }
    const bucket = originId.slice(WEB_SEED_ORIGIN_PREFIX.length);
    const query = forwardedQuery(outcome.request.querystring);
    const forwarded: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = outcome.request.headers[name]?.value;
      if (value !== undefined) forwarded[name] = value;
    }
    const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = httpRequest(
        {
          host: origin.hostname,
          port: origin.port,
          method: outcome.request.method,
          path: `/${bucket}${outcome.request.uri}${query === '' ? '' : `?${query}`}`,
          headers: forwarded,
        },
        resolve,
      );
      r.on('error', reject);
      r.end();
    });
    const out: Record<string, string> = {};
    for (const name of PASSED_RESPONSE_HEADERS) {
      const value = upstream.headers[name];
      if (typeof value === 'string') out[name] = value;
    }
    res.writeHead(upstream.statusCode ?? 502, out);
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        for (const c of counts) c.originBytes += chunk.length;
        callback(null, chunk);
      },
    });
    const paced = rate !== undefined ? upstream.pipe(new Throttle(rate)) : upstream;
    await pipeline(paced, counter, res).catch(() => upstream.destroy());
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad gateway\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    totals,
    byUserAgent,
    setOriginRate: (bytesPerSecond) => (rate = bytesPerSecond),
    resetCounts: () => {
      Object.assign(totals, { requests: 0, parked: 0, originBytes: 0 });
      byUserAgent.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The origin request carries none of CloudFront's signing parameters (the cache policy drops them). */
function withoutSigningParameters(target: string): string {
  const at = target.indexOf('?');
  if (at < 0) return target;
  const kept = target
    .slice(at + 1)
    .split('&')
    .filter((part) => !(SIGNED_URL_PARAMETERS as readonly string[]).includes(part.split('=')[0] ?? ''));
  return kept.length > 0 ? `${target.slice(0, at)}?${kept.join('&')}` : target.slice(0, at);
}

/** Paces a stream to a rate (bytes/s), one response at a time: a per-connection cap like S3's. */
class Throttle extends Transform {
  private readonly started = Date.now();
  private sent = 0;

  constructor(private readonly bytesPerSecond: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const slices: Buffer[] = [];
    for (let at = 0; at < chunk.length; at += 64 * 1024) slices.push(chunk.subarray(at, at + 64 * 1024));
    const next = () => {
      const slice = slices.shift();
      if (slice === undefined) return callback();
      this.sent += slice.length;
      this.push(slice);
      const due = this.started + (this.sent / this.bytesPerSecond) * 1000 - Date.now();
      if (due > 0) setTimeout(next, due);
      else next();
    };
    next();
  }
}
