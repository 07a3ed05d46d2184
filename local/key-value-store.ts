import { createHash, randomBytes } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { KVS_LIMITS } from '../lambdas/ports/key-value-store';
import { freePort } from './ports';
import { LOCAL_CREDENTIALS } from './s3';

/**
 * A stand-in for CloudFront KeyValueStore: its data-plane REST API (the six operations of
 * `@aws-sdk/client-cloudfront-keyvaluestore`) on 127.0.0.1, with the store's ETag semantics (every
 * write names the ETag it read, a stale one is a 409 ConflictException, every write makes a new
 * one) and its documented limits. Like s3rver it does not verify signatures, only that a request
 * is signed. The data is also readable in-process: the local gateway's edge function reads it, as
 * CloudFront's edges read the real store.
 */
export class LocalKeyValueData {
  private readonly entries = new Map<string, string>();
  private version = 0;
  readonly created = new Date();
  lastModified = new Date();

  get etag(): string {
    return createHash('sha256').update(`${this.created.getTime()}/${this.version}`).digest('hex').slice(0, 32);
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  keys(): string[] {
    return [...this.entries.keys()].sort();
  }

  get size(): number {
    let total = 0;
    for (const [key, value] of this.entries) total += Buffer.byteLength(key) + Buffer.byteLength(value);
    return total;
  }

  get count(): number {
    return this.entries.size;
  }

  /** One all-or-nothing write, if `ifMatch` is the current ETag. */
  write(ifMatch: string | undefined, puts: readonly { Key: string; Value: string }[], deletes: readonly { Key: string }[]): void {
    if (ifMatch !== this.etag)
      throw new KvsError(409, 'ConflictException', 'The ETag in If-Match is not the current one: read the store again.');
    if (puts.length + deletes.length > KVS_LIMITS.changesPerUpdate) {
      throw new KvsError(400, 'ValidationException', `At most ${KVS_LIMITS.changesPerUpdate} keys per update.`);
    }
    for (const { Key, Value } of puts) {
      validKey(Key);
      if (typeof Value !== 'string' || Value.length > KVS_LIMITS.valueLength) {
        throw new KvsError(400, 'ValidationException', `Values are strings of at most ${KVS_LIMITS.valueLength} characters.`);
      }
    }
    for (const { Key } of deletes) validKey(Key);
    const next = new Map(this.entries);
    for (const { Key } of deletes) next.delete(Key);
    for (const { Key, Value } of puts) next.set(Key, Value);
    let total = 0;
    for (const [key, value] of next) total += Buffer.byteLength(key) + Buffer.byteLength(value);
    if (total > KVS_LIMITS.totalBytes) throw new KvsError(402, 'ServiceQuotaExceededException', 'The store would exceed 5 MB.');
    this.entries.clear();
    for (const [key, value] of next) this.entries.set(key, value);
    this.version++;
    this.lastModified = new Date();
  }
}

function validKey(key: unknown): void {
  if (typeof key !== 'string' || key.length < 1 || key.length > KVS_LIMITS.keyLength) {
    throw new KvsError(400, 'ValidationException', `Keys are 1 to ${KVS_LIMITS.keyLength} characters.`);
  }
}

class KvsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface LocalKeyValueStore {
  readonly endpoint: string;
  readonly arn: string;
  readonly data: LocalKeyValueData;
  stop(): Promise<void>;
}

export async function startLocalKeyValueStore(options: { port?: number } = {}): Promise<LocalKeyValueStore> {
  const port = options.port ?? (await freePort());
  const arn = `arn:aws:cloudfront::000000000000:key-value-store/${randomBytes(16).toString('hex')}`;
  const data = new LocalKeyValueData();
  const server = createServer((req, res) => {
    handle(arn, data, req, res).catch((err: unknown) => {
      const e = err instanceof KvsError ? err : new KvsError(500, 'InternalServerException', 'Internal error');
      if (res.headersSent) return void res.destroy();
      send(res, e.status, { message: e.message }, { 'x-amzn-errortype': e.type });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arn,
    data,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(arn: string, data: LocalKeyValueData, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const match = /^\/key-value-stores\/([^/]+)(\/keys(?:\/([^/]+))?)?$/.exec(url.pathname);
  if (!match) throw new KvsError(404, 'ResourceNotFoundException', 'No such operation.');
  if (!/^AWS4-ECDSA-P256-SHA256 /.test(req.headers.authorization ?? '')) {
    throw new KvsError(403, 'AccessDeniedException', 'Requests must be signed (SigV4A).');
  }
  if (decodeURIComponent(match[1] as string) !== arn) throw new KvsError(404, 'ResourceNotFoundException', 'No such key value store.');
  const key = match[3] === undefined ? undefined : decodeURIComponent(match[3]);
  const body = await readJson(req);
  const ifMatch = req.headers['if-match'];
  const counts = () => ({ ItemCount: data.count, TotalSizeInBytes: data.size });
  const written = () => send(res, 200, counts(), { etag: data.etag });
  const method = req.method ?? 'GET';
  if (match[2] === undefined && method === 'GET') {
    const seconds = (d: Date) => d.getTime() / 1000;
    return send(
      res,
      200,
      { ...counts(), KvsARN: arn, Created: seconds(data.created), LastModified: seconds(data.lastModified), Status: 'READY' },
      { etag: data.etag },
    );
  }
  if (key === undefined && method === 'GET') {
    const keys = data.keys();
    const start = Number(url.searchParams.get('NextToken') ?? '0');
    const max = Math.min(50, Number(url.searchParams.get('MaxResults') ?? '50'));
    const page = keys.slice(start, start + max);
    return send(res, 200, {
      Items: page.map((k) => ({ Key: k, Value: data.get(k) })),
      ...(start + max < keys.length ? { NextToken: String(start + max) } : {}),
    });
  }
  if (key === undefined && method === 'POST') {
    data.write(ifMatch, (body.Puts as { Key: string; Value: string }[]) ?? [], (body.Deletes as { Key: string }[]) ?? []);
    return written();
  }
  if (key !== undefined && method === 'GET') {
    const value = data.get(key);
    if (value === undefined) throw new KvsError(404, 'ResourceNotFoundException', `No key ${key}.`);
    return send(res, 200, { Key: key, Value: value, ...counts() });
  }
  if (key !== undefined && method === 'PUT') {
    data.write(ifMatch, [{ Key: key, Value: body.Value as string }], []);
    return written();
  }
  if (key !== undefined && method === 'DELETE') {
    if (data.get(key) === undefined) throw new KvsError(404, 'ResourceNotFoundException', `No key ${key}.`);
    data.write(ifMatch, [], [{ Key: key }]);
    return written();
  }
  throw new KvsError(404, 'ResourceNotFoundException', 'No such operation.');
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new KvsError(400, 'ValidationException', 'The body is not JSON.');
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/**
 * The real SDK client pointed at the stand-in. The client puts the store's account id in front of
 * the endpoint's host name (`<account>.localhost`), as it does on AWS; the agent resolves every
 * name to the stand-in's address.
 */
export function localKeyValueStoreClient(endpoint: string): CloudFrontKeyValueStoreClient {
  const url = new URL(endpoint);
  const host = url.hostname;
  // A name, not an address: the client prefixes it with the account id.
  url.hostname = 'localhost';
  const agent = new Agent({
    keepAlive: true,
    lookup: (_name: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
      options.all ? callback(null, [{ address: host, family: 4 }]) : callback(null, host, 4),
  } as ConstructorParameters<typeof Agent>[0]);
  return new CloudFrontKeyValueStoreClient({
    endpoint: url.toString().replace(/\/$/, ''),
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    requestHandler: { httpAgent: agent },
  });
}
