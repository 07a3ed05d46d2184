import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface SignedRequest {
  readonly method: string;
  readonly host: string;
  /** The path as sent on the wire (percent-encoded). */
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string>;
}

export type SigV4Check = { ok: true; accessKeyId: string } | { ok: false; reason: string };

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;
/** API Gateway refuses signatures dated more than 15 minutes away from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * What API Gateway's IAM authorizer does before a request reaches the Lambda, for the local
 * stand-in: recompute the SigV4 signature (service `execute-api`) over the signed headers with the
 * secret of the access key named in the request, and compare. (Whether that identity may invoke
 * the route is an IAM policy question, which locally every known key may.)
 */
export async function verifySigV4(request: SignedRequest, known: readonly Credentials[], now = new Date()): Promise<SigV4Check> {
  const authorization = request.headers.authorization;
  if (!authorization) return { ok: false, reason: 'missing Authorization header' };
  const match = AUTHORIZATION.exec(authorization);
  if (!match) return { ok: false, reason: 'malformed Authorization header' };
  const [, accessKeyId, , region, service, signedHeaderList, signature] = match as unknown as string[];
  if (service !== 'execute-api') return { ok: false, reason: `signed for ${service}, not execute-api` };
  const credentials = known.find((c) => c.accessKeyId === accessKeyId);
  if (!credentials) return { ok: false, reason: 'unknown access key' };
  const amzDate = request.headers['x-amz-date'];
  const signedAt = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!signedAt) return { ok: false, reason: 'missing or malformed X-Amz-Date' };
  if (Math.abs(now.getTime() - signedAt.getTime()) > MAX_SKEW_MS) return { ok: false, reason: 'signature date too far from now' };

  const signedHeaders = (signedHeaderList as string).split(';');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return { ok: false, reason: `signed header ${name} is missing` };
    headers[name] = value;
  }
  const signer = new SignatureV4({ credentials, region: region as string, service: 'execute-api', sha256: Sha256 });
  const unsigned = new HttpRequest({
    method: request.method,
    protocol: 'http:',
    hostname: request.host,
    path: request.path,
    query: request.query,
    headers,
  });
  const resigned = await signer.sign(unsigned, {
    signingDate: signedAt,
    // Re-sign over exactly the headers the client signed, nothing more.
    unsignableHeaders: new Set(Object.keys(request.headers).filter((h) => !signedHeaders.includes(h))),
  });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization))?.[1];
  return expected === signature ? { ok: true, accessKeyId: accessKeyId as string } : { ok: false, reason: 'signature mismatch' };
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}
