import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What a signed link lets its holder do with one object:
 * - `torrent`: get its .torrent (`?torrent&expires=…&signature=…`);
 * - `object`: be redirected to its bytes (the front door);
 * - `webseed`: the web seed written into private torrents (bytes, by ranges);
 * - `webseed-folder`: the web seed of a private folder torrent, for every object under the prefix
 *   its `key` names (it ends in `/`).
 */
export type LinkPurpose = 'torrent' | 'object' | 'webseed' | 'webseed-folder';

export interface LinkTarget {
  readonly purpose: LinkPurpose;
  readonly bucket: string;
  readonly key: string;
  /** Pins the link to one version where the bucket is versioned. */
  readonly versionId?: string;
}

export type LinkCheck = { ok: true } | { ok: false; reason: string };

/** Signed links carry at most this lifetime, so a leaked link cannot live for years. */
export const MAX_LINK_LIFETIME_SECONDS = 366 * 24 * 3600;

/**
 * HMAC-SHA256 signed, expiring links to one object and one purpose. The signature covers a
 * versioned, newline-separated canonical string, so a link for one key, purpose or expiry cannot
 * be bent to another; comparison is constant-time.
 */
export class LinkSigner {
  constructor(private readonly key: Uint8Array) {
    if (key.length < 32) throw new Error('the link signing key must be at least 32 bytes');
  }

  sign(target: LinkTarget, expires: number): string {
    return createHmac('sha256', this.key).update(canonical(target, expires)).digest('base64url');
  }

  /** The query parameters of a link valid until `expires` (Unix seconds). */
  signedParams(target: LinkTarget, expires: number): URLSearchParams {
    const params = new URLSearchParams();
    if (target.versionId !== undefined) params.set('versionId', target.versionId);
    params.set('expires', String(expires));
    params.set('signature', this.sign(target, expires));
    return params;
  }

  verify(target: LinkTarget, query: URLSearchParams, now: Date): LinkCheck {
    const expiresText = query.get('expires');
    const signature = query.get('signature');
    if (expiresText === null || signature === null) return { ok: false, reason: 'this object needs a signed link or IAM authorization' };
    if (query.getAll('expires').length > 1 || query.getAll('signature').length > 1)
      return { ok: false, reason: 'duplicated link parameters' };
    if (!/^\d{1,12}$/.test(expiresText)) return { ok: false, reason: 'malformed expires' };
    const expires = Number(expiresText);
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (expires < nowSeconds) return { ok: false, reason: 'the link has expired' };
    if (expires > nowSeconds + MAX_LINK_LIFETIME_SECONDS) return { ok: false, reason: 'the link expires too far in the future' };
    const expected = Buffer.from(this.sign(target, expires));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the signature does not match' };
    return { ok: true };
  }

  /**
   * The secret a private torrent's announce URL carries: derived from the infohash, so the
   * tracker can check it without storing anything, and useless for any other torrent.
   */
  announceToken(infoHashHex: string): string {
    return createHmac('sha256', this.key).update(`s3-torrent-announce-v1\n${infoHashHex.toLowerCase()}`).digest('base64url').slice(0, 32);
  }

  verifyAnnounceToken(infoHashHex: string, token: string): boolean {
    const expected = Buffer.from(this.announceToken(infoHashHex));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function canonical(target: LinkTarget, expires: number): string {
  return ['s3-torrent-link-v1', target.purpose, target.bucket, target.key, target.versionId ?? '', String(expires)].join('\n');
}

/**
 * A signed link to an object of this service: `?torrent&expires=…&signature=…` for its torrent,
 * or `?expires=…&signature=…` for its bytes (the front door's redirect).
 */
export function signedObjectUrl(
  signer: LinkSigner,
  baseUrl: string,
  target: { bucket: string; key: string; purpose: 'torrent' | 'object' },
  expires: number,
): string {
  const params = signer.signedParams(target, expires).toString();
  const path = `${baseUrl.replace(/\/+$/, '')}/${target.bucket}/${target.key.split('/').map(encodeURIComponent).join('/')}`;
  return target.purpose === 'torrent' ? `${path}?torrent&${params}` : `${path}?${params}`;
}
