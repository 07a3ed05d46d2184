import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { RouteDefinition } from '../lambdas/http/routes';
import { freePort } from './ports';
import { verifySigV4, type Credentials } from './sigv4';

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

export interface LocalRoute {
  readonly route: RouteDefinition;
  readonly handler: LambdaHttpHandler;
}

export interface LocalHttpApi {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Resolves once every request received so far has been answered (handlers included). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** API Gateway's own limit on a Lambda integration. */
const INTEGRATION_TIMEOUT_MS = 30_000;

/**
 * A stand-in for an API Gateway HTTP API on 127.0.0.1: it matches requests against the same route
 * table the CDK stack deploys and hands each Lambda the payload v2 event API Gateway would. Like API
 * Gateway, it percent-decodes the path before matching (so `rawPath` and `pathParameters` arrive
 * decoded) and passes the query string raw in `rawQueryString`.
 */
export interface LocalHttpApiOptions {
  readonly port?: number;
  /** Identities accepted on routes with IAM authorization (none: those routes always answer 403). */
  readonly iamCredentials?: readonly Credentials[];
}

export async function startLocalHttpApi(routes: readonly LocalRoute[], options: LocalHttpApiOptions = {}): Promise<LocalHttpApi> {
  const port = options.port ?? (await freePort());
  const iamCredentials = options.iamCredentials ?? [];
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const handling: Promise<void> = handle(routes, port, iamCredentials, req, res)
      .catch((err: unknown) => {
        if (!res.headersSent) writeJson(res, 500, { message: 'Internal Server Error' });
        else res.destroy(err as Error);
      })
      .finally(() => inFlight.delete(handling));
    inFlight.add(handling);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  routes: readonly LocalRoute[],
  port: number,
  iamCredentials: readonly Credentials[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const encodedPath = queryAt < 0 ? target : target.slice(0, queryAt);
  const rawQueryString = queryAt < 0 ? '' : target.slice(queryAt + 1);
  let path: string;
  try {
    path = decodeURIComponent(encodedPath);
  } catch {
    return writeJson(res, 400, { message: 'Bad Request' });
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const match = matchRoute(routes, method, path);
  if (match === undefined) return writeJson(res, 404, { message: 'Not Found' });

  const body = await readBody(req);
  const requestId = randomUUID();
  const now = new Date();
  const headers = lowercaseHeaders(req);
  let authorizer: { iam: Record<string, unknown> } | undefined;
  if (match.route.route.auth === 'iam') {
    // API Gateway's IAM authorizer answers 403 itself; the Lambda never sees the request.
    const check = await verifySigV4(
      { method, host: headers.host ?? '', path: encodedPath, query: signedQuery(rawQueryString), headers },
      iamCredentials,
      now,
    );
    if (!check.ok) return writeJson(res, 403, { message: 'Forbidden' });
    authorizer = {
      iam: {
        accessKey: check.accessKeyId,
        accountId: '000000000000',
        callerId: check.accessKeyId,
        userArn: `arn:aws:iam::000000000000:user/${check.accessKeyId}`,
        userId: check.accessKeyId,
        principalOrgId: null,
        cognitoIdentity: null,
      },
    };
  }
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: `${match.route.route.method} ${match.route.route.path}`,
    rawPath: path,
    rawQueryString,
    cookies: headers.cookie?.split(/;\s*/),
    headers,
    queryStringParameters: queryParameters(rawQueryString),
    pathParameters: Object.keys(match.params).length > 0 ? match.params : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? `127.0.0.1:${port}`,
      domainPrefix: 'local',
      http: {
        method,
        path,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      ...(authorizer ? { authorizer } : {}),
      routeKey: `${match.route.route.method} ${match.route.route.path}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: body.length > 0 ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
  const deadline = Date.now() + INTEGRATION_TIMEOUT_MS;
  const context = lambdaContext(requestId, deadline);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), INTEGRATION_TIMEOUT_MS)));
  const result = await Promise.race([match.route.handler(event, context), timeout]).finally(() => clearTimeout(timer));
  if (result === 'timeout') return writeJson(res, 503, { message: 'Service Unavailable' });
  writeResult(res, result, method);
}

function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2, method: string): void {
  if (typeof result === 'string') return writeJson(res, 200, result);
  const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = String(body.length);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(method === 'HEAD' ? undefined : body);
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

interface RouteMatch {
  readonly route: LocalRoute;
  readonly params: Record<string, string>;
}

/**
 * API Gateway's choice among matching routes, "the route with the most-specific match" (developer
 * guide, HTTP APIs, "Routing API requests"): a full match of route and method before a match
 * through a greedy `{x+}` variable, and within each, the route with more literal segments.
 */
export function matchRoute(routes: readonly LocalRoute[], method: string, path: string): RouteMatch | undefined {
  const segments = path.split('/').slice(1);
  let best: { match: RouteMatch; rank: readonly [number, number] } | undefined;
  for (const route of routes) {
    if (route.route.method !== method) continue;
    const found = matchPattern(route.route.path.split('/').slice(1), segments);
    if (found === undefined) continue;
    const rank = [found.greedy ? 0 : 1, found.literals] as const;
    if (best === undefined || rank[0] > best.rank[0] || (rank[0] === best.rank[0] && rank[1] > best.rank[1])) {
      best = { match: { route, params: found.params }, rank };
    }
  }
  return best?.match;
}

function matchPattern(
  pattern: readonly string[],
  segments: readonly string[],
): { params: Record<string, string>; literals: number; greedy: boolean } | undefined {
  const params: Record<string, string> = {};
  let literals = 0;
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i] as string;
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy) {
      const rest = segments.slice(i).join('/');
      if (i !== pattern.length - 1 || rest.length === 0) return undefined;
      params[greedy[1] as string] = rest;
      return { params, literals, greedy: true };
    }
    const segment = segments[i];
    if (segment === undefined || segment.length === 0) return undefined;
    const variable = /^\{(.+)\}$/.exec(part);
    if (variable) params[variable[1] as string] = segment;
    else if (segment === part) literals += 1;
    else return undefined;
  }
  return segments.length === pattern.length ? { params, literals, greedy: false } : undefined;
}

function queryParameters(raw: string): Record<string, string> | undefined {
  if (raw.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const part of raw.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = safeDecode(eq < 0 ? '' : part.slice(eq + 1));
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return out;
}

/** The query as SigV4 canonicalizes it: decoded names and values, repeated names as lists. */
function signedQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const part of raw.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = safeDecode(eq < 0 ? '' : part.slice(eq + 1));
    const existing = out[name];
    out[name] = existing === undefined ? value : [...[existing].flat(), value];
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function lowercaseHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function lambdaContext(requestId: string, deadline: number): Context {
  const fail = () => {
    throw new Error('callback-style completion is not supported locally');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:local',
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}
