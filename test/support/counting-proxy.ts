import { createServer, request, type Server } from 'node:http';

/**
 * An HTTP proxy in front of the S3 stand-in that counts the body bytes S3 sends back for each
 * object path: what a service really read, however its reads were split into ranges.
 */
export interface CountingProxy {
  readonly endpoint: string;
  /** Body bytes of GET responses for `/<bucket>/<key>` so far. */
  bytesRead(bucket: string, key: string): number;
  /** GET requests for `/<bucket>/<key>` so far. */
  gets(bucket: string, key: string): number;
  stop(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const bytes = new Map<string, number>();
  const requests = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const counted = req.method === 'GET';
    if (counted) requests.set(path, (requests.get(path) ?? 0) + 1);
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.on('data', (chunk: Buffer) => {
          if (counted) bytes.set(path, (bytes.get(path) ?? 0) + chunk.length);
        });
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the counting proxy has no address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bytesRead: (bucket, key) => bytes.get(`/${bucket}/${key}`) ?? 0,
    gets: (bucket, key) => requests.get(`/${bucket}/${key}`) ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
