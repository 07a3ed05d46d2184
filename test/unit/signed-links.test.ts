import fc from 'fast-check';
import { LinkSigner, MAX_LINK_LIFETIME_SECONDS, signedObjectUrl, type LinkTarget } from '../../lambdas/security/signed-links';

const signer = new LinkSigner(Buffer.alloc(32, 7));
const now = new Date('2026-01-01T00:00:00Z');
const nowS = now.getTime() / 1000;
const target: LinkTarget = { purpose: 'torrent', bucket: 'b', key: 'dir/file.bin' };

const check = (t: LinkTarget, params: URLSearchParams, at = now) => signer.verify(t, params, at);

describe('LinkSigner', () => {
  it('accepts its own link until it expires, and not after', () => {
    const params = signer.signedParams(target, nowS + 60);
    expect(check(target, params)).toEqual({ ok: true });
    expect(check(target, params, new Date((nowS + 60) * 1000))).toEqual({ ok: true });
    expect(check(target, params, new Date((nowS + 61) * 1000))).toEqual({ ok: false, reason: 'the link has expired' });
  });

  it.each<[string, LinkTarget]>([
    ['another key', { ...target, key: 'dir/other.bin' }],
    ['another bucket', { ...target, bucket: 'c' }],
    ['another purpose', { ...target, purpose: 'object' }],
    ['another version', { ...target, versionId: 'v2' }],
  ])('refuses a link used for %s', (_what, other) => {
    expect(check(other, signer.signedParams(target, nowS + 60)).ok).toBe(false);
  });

  it('refuses a tampered expiry or signature, and a link signed with another key', () => {
    const params = signer.signedParams(target, nowS + 60);
    const later = new URLSearchParams(params);
    later.set('expires', String(nowS + 3600));
    expect(check(target, later)).toEqual({ ok: false, reason: 'the signature does not match' });
    const flipped = new URLSearchParams(params);
    const sig = flipped.get('signature')!;
    flipped.set('signature', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
    expect(check(target, flipped).ok).toBe(false);
    expect(check(target, new LinkSigner(Buffer.alloc(32, 8)).signedParams(target, nowS + 60)).ok).toBe(false);
  });

  it.each([
    ['no parameters', ''],
    ['no signature', `expires=${nowS + 60}`],
    ['a malformed expiry', 'expires=12ab&signature=x'],
    ['a negative expiry', 'expires=-5&signature=x'],
    ['duplicated parameters', `expires=${nowS + 60}&expires=${nowS + 60}&signature=x&signature=x`],
    ['an expiry beyond the maximum lifetime', `expires=${nowS + MAX_LINK_LIFETIME_SECONDS + 10}&signature=x`],
  ])('refuses %s', (_what, query) => {
    expect(check(target, new URLSearchParams(query)).ok).toBe(false);
  });

  it('never accepts a random signature (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.integer({ min: nowS, max: nowS + 1000 }), (signature, expires) => {
        const params = new URLSearchParams({ expires: String(expires), signature });
        expect(check(target, params).ok).toBe(false);
      }),
    );
  });

  it('derives announce tokens per infohash and checks them', () => {
    const a = 'aa'.repeat(20);
    const b = 'bb'.repeat(20);
    expect(signer.announceToken(a)).toHaveLength(32);
    expect(signer.announceToken(a)).not.toBe(signer.announceToken(b));
    expect(signer.verifyAnnounceToken(a, signer.announceToken(a))).toBe(true);
    expect(signer.verifyAnnounceToken(a.toUpperCase(), signer.announceToken(a))).toBe(true);
    expect(signer.verifyAnnounceToken(b, signer.announceToken(a))).toBe(false);
    expect(signer.verifyAnnounceToken(a, '')).toBe(false);
  });

  it('builds links with an encoded key', () => {
    const url = signedObjectUrl(signer, 'https://t.example/', { bucket: 'b', key: 'a b/c#d', purpose: 'torrent' }, nowS + 60);
    expect(url).toMatch(/^https:\/\/t\.example\/b\/a%20b\/c%23d\?torrent&expires=\d+&signature=[\w-]{43}$/);
  });

  it('needs a key of at least 32 bytes', () => {
    expect(() => new LinkSigner(Buffer.alloc(31))).toThrow();
  });
});
