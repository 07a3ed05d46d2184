import { runInNewContext } from 'node:vm';

/** The parts of a CloudFront Functions viewer-request event the web-seed function reads or writes. */
export interface ViewerRequest {
  method: string;
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
  cookies: Record<string, { value: string }>;
}

export interface ViewerResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, { value: string }>;
  body?: string | { encoding: 'text' | 'base64'; data: string };
}

export type ViewerRequestOutcome =
  { readonly forwarded: ViewerRequest; readonly origin: string | undefined } | { readonly response: ViewerResponse };

/**
 * Runs a cloudfront-js-2.0 viewer-request function in a fresh V8 context with the `cloudfront`
 * module's origin helper, and reports whether it forwarded the request (to which origin) or answered.
 */
export function viewerRequestRunner(source: string): (uri: string, querystring?: Record<string, string>) => ViewerRequestOutcome {
  const body = source.replace(/^import cf from 'cloudfront';$/m, '');
  if (body === source) throw new Error("the function does not start with import cf from 'cloudfront'");
  return (uri, querystring = {}) => {
    let origin: string | undefined;
    const cf = {
      selectRequestOriginById: (id: string) => {
        origin = id;
      },
    };
    const handler = runInNewContext(`${body}\n;handler`, { cf }) as (event: unknown) => ViewerRequest | ViewerResponse;
    const request: ViewerRequest = {
      method: 'GET',
      uri,
      querystring: Object.fromEntries(Object.entries(querystring).map(([k, value]) => [k, { value }])),
      headers: {},
      cookies: {},
    };
    const result = handler({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '192.0.2.1' }, request });
    return 'statusCode' in result ? { response: result } : { forwarded: result, origin };
  };
}
