import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';

/**
 * CloudFront signed URLs, checked the way CloudFront checks them on a behaviour with a trusted key
 * group, so the local web-seed gateway can refuse what CloudFront would refuse. Pure apart from the
 * RSA verification: no I/O, the clock and the key group are arguments.
 *
 * The rules (CloudFront Developer Guide, "Create a signed URL using a canned policy" / "... custom
 * policy"): the URL carries `Key-Pair-Id`, `Signature` and either `Expires` (canned policy: the
 * policy is rebuilt from the URL itself) or `Policy` (custom: base64 JSON whose Resource may hold
 * `*` and `?` wildcards, with `DateLessThan`, optional `DateGreaterThan` and `IpAddress`).
 * Signatures are RSA-SHA1, or RSA-SHA256 with `Hash-Algorithm=SHA256`, in CloudFront's URL-safe
 * base64 (`+`→`-`, `=`→`_`, `/`→`~`). The resource compared is the URL without those parameters.
 */
export type SignedUrlCheck =
  { readonly ok: true; readonly keyPairId: string; readonly expires: number } | { readonly ok: false; readonly reason: string };

export interface SignedUrlCheckOptions {
  /** The trusted key group: PEM public keys (or key objects) by key-pair id (the CloudFront public key's id). */
  readonly publicKeys: ReadonlyMap<string, string | KeyObject>;
  readonly now: Date;
  /** The viewer's address, for policies with an `IpAddress` condition. */
  readonly sourceIp?: string;
}

/** The query parameters CloudFront reads and removes before it compares the resource. */
export const SIGNED_URL_PARAMETERS = ['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm'] as const;
const SIGNING = new Set<string>(SIGNED_URL_PARAMETERS);

/** Accepts a signed URL (absolute, as the viewer requested it) or says why CloudFront would answer 403. */
export function verifyCloudFrontSignedUrl(url: string, options: SignedUrlCheckOptions): SignedUrlCheck {
  const split = splitSignedUrl(url);
  if (!split.ok) return split;
  const { resource, params } = split;
  const keyPairId = params.get('Key-Pair-Id');
  const signature = params.get('Signature');
  if (keyPairId === undefined) return deny('Missing Key-Pair-Id query parameter');
  if (signature === undefined) return deny('Missing Signature query parameter');
  const publicKey = options.publicKeys.get(keyPairId);
  if (publicKey === undefined) return deny('Unknown Key');
  const algorithm = hashAlgorithm(params.get('Hash-Algorithm'));
  if (algorithm === undefined) return deny('Unsupported Hash-Algorithm');

  const expiresText = params.get('Expires');
  const policyText = params.get('Policy');
  if ((expiresText === undefined) === (policyText === undefined)) return deny('Exactly one of Expires and Policy is required');
  let policyJson: string;
  if (policyText !== undefined) {
    const decoded = fromCloudFrontBase64(policyText);
    if (decoded === undefined) return deny('Malformed Policy');
    policyJson = decoded.toString('utf8');
  } else {
    if (!/^\d{1,12}$/.test(expiresText as string)) return deny('Malformed Expires');
    policyJson = cannedPolicy(resource, Number(expiresText));
  }

  const signatureBytes = fromCloudFrontBase64(signature);
  if (signatureBytes === undefined) return deny('Malformed Signature');
  let key: KeyObject;
  try {
    key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  } catch {
    return deny('The public key is not a valid PEM key');
  }
  if (!verify(algorithm, Buffer.from(policyJson, 'utf8'), key, signatureBytes)) return deny('Signature does not match');

  const statement = policyStatement(policyJson);
  if (!statement.ok) return statement;
  return checkConditions(statement.value, resource, keyPairId, options);
}

/** The canned policy CloudFront rebuilds from the URL and `Expires`: this exact text is what is signed. */
export function cannedPolicy(resource: string, expires: number): string {
  return `{"Statement":[{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
}

/** The URL without CloudFront's parameters (other parameters keep their order and encoding), and those parameters. */
function splitSignedUrl(url: string): { ok: true; resource: string; params: Map<string, string> } | { ok: false; reason: string } {
  const question = url.indexOf('?');
  if (question < 0) return { ok: true, resource: url, params: new Map() };
  const kept: string[] = [];
  const params = new Map<string, string>();
  for (const pair of url.slice(question + 1).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (!SIGNING.has(name)) {
      kept.push(pair);
      continue;
    }
    if (params.has(name)) return deny(`Duplicate ${name} query parameter`);
    let value: string;
    try {
      value = decodeURIComponent(eq < 0 ? '' : pair.slice(eq + 1));
    } catch {
      return deny(`Malformed ${name} query parameter`);
    }
    params.set(name, value);
  }
  return { ok: true, resource: url.slice(0, question) + (kept.length > 0 ? `?${kept.join('&')}` : ''), params };
}

function hashAlgorithm(value: string | undefined): 'sha1' | 'sha256' | undefined {
  if (value === undefined || value === 'SHA1') return 'sha1';
  if (value === 'SHA256') return 'sha256';
  return undefined;
}

function fromCloudFrontBase64(text: string): Buffer | undefined {
  const standard = text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/');
  if (!/^[A-Za-z0-9+/]+=*$/.test(standard)) return undefined;
  return Buffer.from(standard, 'base64');
}

interface PolicyStatement {
  readonly Resource?: unknown;
  readonly Condition?: {
    readonly DateLessThan?: { readonly 'AWS:EpochTime'?: unknown };
    readonly DateGreaterThan?: { readonly 'AWS:EpochTime'?: unknown };
    readonly IpAddress?: { readonly 'AWS:SourceIp'?: unknown };
  };
}

/** CloudFront policies hold exactly one statement. */
function policyStatement(json: string): { ok: true; value: PolicyStatement } | { ok: false; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return deny('The policy is not JSON');
  }
  const statements = (parsed as { Statement?: unknown } | null)?.Statement;
  if (!Array.isArray(statements) || statements.length !== 1 || typeof statements[0] !== 'object' || statements[0] === null)
    return deny('The policy must hold exactly one statement');
  return { ok: true, value: statements[0] as PolicyStatement };
}

function checkConditions(statement: PolicyStatement, resource: string, keyPairId: string, options: SignedUrlCheckOptions): SignedUrlCheck {
  const now = Math.floor(options.now.getTime() / 1000);
  // A custom policy without Resource covers every object; a canned one always names the URL.
  if (statement.Resource !== undefined && (typeof statement.Resource !== 'string' || !wildcardMatch(statement.Resource, resource)))
    return deny('The policy does not cover this URL');
  const lessThan = statement.Condition?.DateLessThan?.['AWS:EpochTime'];
  if (typeof lessThan !== 'number') return deny('The policy has no DateLessThan');
  if (now >= lessThan) return deny('Access denied: the URL has expired');
  const greaterThan = statement.Condition?.DateGreaterThan?.['AWS:EpochTime'];
  if (greaterThan !== undefined && (typeof greaterThan !== 'number' || now <= greaterThan)) return deny('The URL is not valid yet');
  const cidr = statement.Condition?.IpAddress?.['AWS:SourceIp'];
  if (cidr !== undefined && (typeof cidr !== 'string' || options.sourceIp === undefined || !inCidr(options.sourceIp, cidr)))
    return deny('The URL is not valid from this address');
  return { ok: true, keyPairId, expires: lessThan };
}

/** `*` matches any run of characters (none included), `?` exactly one; everything else literally. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}

function inCidr(address: string, cidr: string): boolean {
  const [network, bitsText = '32', ...rest] = cidr.split('/');
  const bits = Number(bitsText);
  if (rest.length > 0 || !isIPv4(address) || network === undefined || !isIPv4(network)) return false;
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const toInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const block = 2 ** (32 - bits);
  return Math.floor(toInt(address) / block) === Math.floor(toInt(network) / block);
}

const deny = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });
