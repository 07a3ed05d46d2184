import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';

/**
 * Runs a CloudFront Function's source (cloudfront-js-2.0, viewer request) in Node: the very file
 * CDK uploads, with the `cloudfront` module it imports provided here (its KeyValueStore handle and
 * origin selection). Only what our function uses is provided; anything else it touched would throw,
 * as a missing feature would.
 */

/** The event of a viewer-request function (CloudFront Functions event structure, version 1.0). */
export interface ViewerRequestEvent {
  readonly version: '1.0';
  readonly context: { readonly eventType: 'viewer-request'; readonly distributionDomainName: string; readonly requestId: string };
  readonly viewer: { readonly ip: string };
  readonly request: FunctionRequest;
}

export interface FunctionRequest {
  method: string;
  /** The path as received: still percent-encoded. */
  uri: string;
  querystring: Record<string, { value: string; multiValue?: { value: string }[] }>;
  headers: Record<string, { value: string }>;
  cookies: Record<string, { value: string }>;
}

export interface FunctionResponse {
  readonly statusCode: number;
  readonly statusDescription?: string;
  readonly headers?: Record<string, { value: string }>;
  readonly body?: string | { readonly encoding: 'text' | 'base64'; readonly data: string };
}

/** What the function decided: a response of its own, or the request to send to an origin. */
export type FunctionOutcome =
  | { readonly kind: 'response'; readonly response: FunctionResponse }
  | { readonly kind: 'origin'; readonly request: FunctionRequest; readonly originId?: string };

/** The function's view of its KeyValueStore: a value, or undefined when the key is absent. */
export interface KeyValueReader {
  get(key: string): Promise<string | undefined>;
}

/** CloudFront Functions' code size limit. */
export const MAX_FUNCTION_BYTES = 10 * 1024;

export interface LoadedFunction {
  run(event: ViewerRequestEvent): Promise<FunctionOutcome>;
}

export function loadCloudFrontFunctionFile(path: string, kvs: KeyValueReader): LoadedFunction {
  return loadCloudFrontFunction(readFileSync(path, 'utf8'), kvs);
}

export function loadCloudFrontFunction(source: string, kvs: KeyValueReader): LoadedFunction {
  if (Buffer.byteLength(source) > MAX_FUNCTION_BYTES) throw new Error(`a CloudFront Function is at most ${MAX_FUNCTION_BYTES} bytes`);
  const importLine = /^import cf from 'cloudfront';\n/;
  if (!importLine.test(source)) throw new Error("the function must start with import cf from 'cloudfront';");
  const invocation = new AsyncLocalStorage<{ originId?: string }>();
  const cf = {
    kvs: () => ({
      // As documented: get() rejects when the key is absent.
      get: async (key: string, options?: { format?: 'string' | 'json' }) => {
        const value = await kvs.get(key);
        if (value === undefined) throw new Error(`The key ${key} does not exist`);
        return options?.format === 'json' ? (JSON.parse(value) as unknown) : value;
      },
      exists: async (key: string) => (await kvs.get(key)) !== undefined,
    }),
    selectRequestOriginById: (id: string) => {
      const current = invocation.getStore();
      if (current === undefined) throw new Error('selectRequestOriginById outside a request');
      current.originId = id;
    },
  };
  // The module body runs once, as CloudFront runs it once per function instance.
  const body = source.replace(importLine, '');
  const handler = new Function('cf', `'use strict';\n${body}\nreturn handler;`)(cf) as (
    event: ViewerRequestEvent,
  ) => Promise<FunctionRequest | FunctionResponse>;
  return {
    run: (event) =>
      invocation.run({}, async (): Promise<FunctionOutcome> => {
        const result = await handler(event);
        if ('statusCode' in result) return { kind: 'response', response: checkedResponse(result) };
        if (typeof result.uri !== 'string' || !result.uri.startsWith('/'))
          throw new Error('the function returned a request without a valid uri');
        return { kind: 'origin', request: result, originId: invocation.getStore()?.originId };
      }),
  };
}

function checkedResponse(response: FunctionResponse): FunctionResponse {
  if (!Number.isInteger(response.statusCode) || response.statusCode < 100 || response.statusCode > 599) {
    throw new Error(`invalid statusCode ${String(response.statusCode)}`);
  }
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if (name !== name.toLowerCase() || typeof header?.value !== 'string') throw new Error(`invalid response header ${name}`);
  }
  return response;
}

/** The body bytes of a function-generated response. */
export function responseBody(response: FunctionResponse): Buffer {
  if (response.body === undefined) return Buffer.alloc(0);
  if (typeof response.body === 'string') return Buffer.from(response.body);
  return Buffer.from(response.body.data, response.body.encoding === 'base64' ? 'base64' : 'utf8');
}

/** The event CloudFront would build for an HTTP request (method, raw path, raw query, headers). */
export function viewerRequestEvent(input: {
  method: string;
  target: string;
  headers: Readonly<Record<string, string>>;
  viewerIp: string;
  domain: string;
  requestId: string;
}): ViewerRequestEvent {
  const at = input.target.indexOf('?');
  const uri = at < 0 ? input.target : input.target.slice(0, at);
  const querystring: FunctionRequest['querystring'] = {};
  for (const part of at < 0 ? [] : input.target.slice(at + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = { value: eq < 0 ? '' : part.slice(eq + 1) };
    const existing = querystring[name];
    if (existing === undefined) querystring[name] = value;
    else existing.multiValue = [...(existing.multiValue ?? [{ value: existing.value }]), value];
  }
  const headers: FunctionRequest['headers'] = {};
  for (const [name, value] of Object.entries(input.headers)) headers[name.toLowerCase()] = { value };
  return {
    version: '1.0',
    context: { eventType: 'viewer-request', distributionDomainName: input.domain, requestId: input.requestId },
    viewer: { ip: input.viewerIp },
    request: { method: input.method, uri, querystring, headers, cookies: {} },
  };
}

/** The query string of a request the function passed on, as CloudFront forwards it. */
export function forwardedQuery(querystring: FunctionRequest['querystring']): string {
  const parts: string[] = [];
  for (const [name, entry] of Object.entries(querystring)) {
    for (const value of entry.multiValue ?? [entry]) parts.push(value.value === '' ? name : `${name}=${value.value}`);
  }
  return parts.join('&');
}
