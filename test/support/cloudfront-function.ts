import {
  loadCloudFrontFunction,
  viewerRequestEvent,
  type FunctionRequest,
  type FunctionResponse,
} from '../../local/cloudfront-function-shim';

export type ViewerRequest = FunctionRequest;
export type ViewerResponse = FunctionResponse;

export type ViewerRequestOutcome =
  { readonly forwarded: ViewerRequest; readonly origin: string | undefined } | { readonly response: ViewerResponse };

/**
 * Runs the viewer-request function's source under the local CloudFront shim (the gateway runs it
 * the same way) and reports whether it forwarded the request (to which origin) or answered. The
 * KeyValueStore is `kvs` (empty by default: no torrent is gated).
 */
export function viewerRequestRunner(
  source: string,
  kvs: ReadonlyMap<string, string> = new Map(),
): (uri: string, querystring?: Record<string, string>, headers?: Record<string, string>) => Promise<ViewerRequestOutcome> {
  const fn = loadCloudFrontFunction(source, { get: async (key) => kvs.get(key) });
  return async (uri, querystring = {}, headers = {}) => {
    const query = Object.entries(querystring)
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const outcome = await fn.run(
      viewerRequestEvent({
        method: 'GET',
        target: query === '' ? uri : `${uri}?${query}`,
        headers,
        viewerIp: '192.0.2.1',
        domain: 'd111111abcdef8.cloudfront.net',
        requestId: 'test',
      }),
    );
    return outcome.kind === 'response' ? { response: outcome.response } : { forwarded: outcome.request, origin: outcome.originId };
  };
}
