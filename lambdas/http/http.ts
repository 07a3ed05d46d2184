import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { ServiceError } from './errors';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function binaryResponse(body: Uint8Array, headers: Record<string, string>): HttpResult {
  return { statusCode: 200, headers, body: Buffer.from(body).toString('base64'), isBase64Encoded: true };
}

export function redirectResponse(location: string): HttpResult {
  return { statusCode: 307, headers: { location, 'cache-control': 'no-store' }, body: '' };
}

/**
 * The single place errors become HTTP: a ServiceError keeps its status and code; anything else is a
 * bug or an outage and becomes a 500 that says nothing about internals, logged with the request id.
 */
export function errorResponse(err: unknown, requestId: string, logger: Logger): HttpResult {
  if (err instanceof ServiceError) {
    if (err.status >= 500) logger.error('request failed', { requestId, error: err });
    return jsonResponse(err.status, { code: err.code, message: err.message, requestId }, err.headers);
  }
  logger.error('unexpected error', { requestId, error: err as Error });
  return jsonResponse(500, { code: 'InternalError', message: 'The service could not complete the request.', requestId });
}

/** For HEAD requests the body is dropped; status and headers stay. */
export function withoutBody(result: HttpResult): HttpResult {
  return { ...result, body: '', isBase64Encoded: false };
}

/**
 * The public base URL of the API: configured, or derived from the request (the execute-api host,
 * plus the stage when it is not `$default`).
 */
export function publicBaseUrl(event: APIGatewayProxyEventV2, configured: string | undefined): string {
  if (configured) return configured.replace(/\/+$/, '');
  const stage = event.requestContext.stage;
  return `https://${event.requestContext.domainName}${stage && stage !== '$default' ? `/${stage}` : ''}`;
}
