import { createSign, generateKeyPairSync } from 'node:crypto';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { cannedPolicy, verifyCloudFrontSignedUrl, wildcardMatch } from '../../lambdas/security/cloudfront-signed-urls';
import { signCloudFrontUrl } from '../../lambdas/security/cloudfront-url-signer';

const pair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const key = pair();
const otherKey = pair();
const KEY_ID = 'K2JCJMDEHXQW5F';
const publicKeys = new Map([[KEY_ID, key.publicKey]]);
const BASE = 'https://d111111abcdef8.cloudfront.net/-/private/vault/reports/q1%20final.pdf';
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const t0s = T0.getTime() / 1000;
const check = (url: string, now = T0, sourceIp?: string) => verifyCloudFrontSignedUrl(url, { publicKeys, now, sourceIp });
const reason = (url: string, now = T0, sourceIp?: string) => {
  const result = check(url, now, sourceIp);
  return result.ok ? 'ok' : result.reason;
};

/** CloudFront's base64 (what it expects in Policy and Signature). */
const cfBase64 = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
function signPolicy(policy: string, privateKey = key.privateKey, algorithm = 'RSA-SHA1') {
  const signature = createSign(algorithm).update(policy).sign(privateKey);
  return `Policy=${cfBase64(Buffer.from(policy))}&Signature=${cfBase64(signature)}&Key-Pair-Id=${KEY_ID}`;
}

describe('verifyCloudFrontSignedUrl', () => {
  describe('canned policy', () => {
    const url = signCloudFrontUrl(BASE, { keyPairId: KEY_ID, privateKeyPem: key.privateKey }, t0s + 3600);

    it('accepts what @aws-sdk/cloudfront-signer signs, until its expiry and not after', () => {
      expect(url).toMatch(/\?Expires=\d+&Key-Pair-Id=K2JCJMDEHXQW5F&Signature=/);
      expect(check(url)).toEqual({ ok: true, keyPairId: KEY_ID, expires: t0s + 3600 });
      expect(reason(url, at(3599))).toBe('ok');
      expect(reason(url, at(3600))).toMatch(/expired/);
    });

    it('covers the query string the URL had before signing', () => {
      const versioned = signCloudFrontUrl(`${BASE}?versionId=v1`, { keyPairId: KEY_ID, privateKeyPem: key.privateKey }, t0s + 60);
      expect(reason(versioned)).toBe('ok');
      expect(reason(versioned.replace('versionId=v1', 'versionId=v2'))).toMatch(/Signature does not match/);
      expect(reason(versioned.replace('versionId=v1&', ''))).toMatch(/Signature does not match/);
    });

    it.each([
      ['another object', (u: string) => u.replace('q1%20final', 'q2%20final')],
      ['another bucket', (u: string) => u.replace('/vault/', '/vault2/')],
      ['another host', (u: string) => u.replace('d111111abcdef8', 'd222222abcdef8')],
      ['the public path', (u: string) => u.replace('/-/private', '')],
      ['a later expiry', (u: string) => u.replace(/Expires=\d+/, `Expires=${t0s + 7200}`)],
      ['an added parameter', (u: string) => u.replace('?', '?versionId=x&')],
    ])('refuses the signature moved to %s', (_what, bend) => {
      expect(reason(bend(url))).toMatch(/Signature does not match/);
    });

    it('refuses a URL signed with a key outside the key group, or under another id', () => {
      const foreign = signCloudFrontUrl(BASE, { keyPairId: KEY_ID, privateKeyPem: otherKey.privateKey }, t0s + 60);
      expect(reason(foreign)).toMatch(/Signature does not match/);
      expect(reason(url.replace(KEY_ID, 'KUNKNOWN'))).toBe('Unknown Key');
    });

    it.each([
      ['no Key-Pair-Id', (u: string) => u.replace(/&Key-Pair-Id=[^&]+/, ''), /Missing Key-Pair-Id/],
      ['no Signature', (u: string) => u.replace(/&Signature=[^&]+/, ''), /Missing Signature/],
      ['no Expires', (u: string) => u.replace(/Expires=\d+&/, ''), /Exactly one of Expires and Policy/],
      ['a duplicated Expires', (u: string) => `${u}&Expires=1`, /Duplicate Expires/],
      ['a malformed Expires', (u: string) => u.replace(/Expires=\d+/, 'Expires=soon'), /Malformed Expires/],
      ['a malformed Signature', (u: string) => u.replace(/Signature=[^&]+/, 'Signature=%%%'), /Malformed Signature/],
      ['an unknown Hash-Algorithm', (u: string) => `${u}&Hash-Algorithm=MD5`, /Unsupported Hash-Algorithm/],
      ['no signing parameters at all', () => BASE, /Missing Key-Pair-Id/],
    ])('refuses %s', (_what, bend, expected) => {
      expect(reason(bend(url))).toMatch(expected);
    });

    it('rebuilds exactly the canned policy text that is signed', () => {
      expect(cannedPolicy('https://x/y', 5)).toBe(
        '{"Statement":[{"Resource":"https://x/y","Condition":{"DateLessThan":{"AWS:EpochTime":5}}}]}',
      );
    });
  });

  describe('custom policy', () => {
    it('honours DateGreaterThan and IpAddress as signed by @aws-sdk/cloudfront-signer', () => {
      const url = getSignedUrl({
        url: BASE,
        keyPairId: KEY_ID,
        privateKey: key.privateKey,
        dateLessThan: at(3600),
        dateGreaterThan: at(60),
        ipAddress: '192.0.2.0/24',
      });
      expect(url).toContain('Policy=');
      expect(reason(url, at(61), '192.0.2.77')).toBe('ok');
      expect(reason(url, at(30), '192.0.2.77')).toMatch(/not valid yet/);
      expect(reason(url, at(61), '198.51.100.1')).toMatch(/not valid from this address/);
      expect(reason(url, at(61))).toMatch(/not valid from this address/);
      expect(reason(url, at(3600), '192.0.2.77')).toMatch(/expired/);
    });

    it('matches wildcard resources against the URL without the signing parameters', () => {
      const policy = JSON.stringify({
        Statement: [
          {
            Resource: 'https://d111111abcdef8.cloudfront.net/-/private/vault/reports/*',
            Condition: { DateLessThan: { 'AWS:EpochTime': t0s + 60 } },
          },
        ],
      });
      expect(reason(`${BASE}?${signPolicy(policy)}`)).toBe('ok');
      expect(reason(`https://d111111abcdef8.cloudfront.net/-/private/vault/other.pdf?${signPolicy(policy)}`)).toMatch(/does not cover/);
    });

    it('accepts SHA-256 signatures only when Hash-Algorithm says so', () => {
      const url = getSignedUrl({ url: BASE, keyPairId: KEY_ID, privateKey: key.privateKey, dateLessThan: at(60), algorithm: 'SHA256' });
      expect(url).toContain('Hash-Algorithm=SHA256');
      expect(reason(url)).toBe('ok');
      expect(reason(url.replace('&Hash-Algorithm=SHA256', ''))).toMatch(/Signature does not match/);
    });

    it.each([
      ['no DateLessThan', { Statement: [{ Resource: BASE, Condition: {} }] }, /no DateLessThan/],
      [
        'two statements',
        { Statement: [{ Resource: BASE, Condition: { DateLessThan: { 'AWS:EpochTime': t0s + 60 } } }, { Resource: '*' }] },
        /exactly one statement/,
      ],
      [
        'a string expiry',
        { Statement: [{ Resource: BASE, Condition: { DateLessThan: { 'AWS:EpochTime': String(t0s + 60) } } }] },
        /no DateLessThan/,
      ],
    ])('refuses a policy with %s', (_what, policy, expected) => {
      expect(reason(`${BASE}?${signPolicy(JSON.stringify(policy))}`)).toMatch(expected);
    });

    it('refuses a URL carrying both Expires and Policy', () => {
      const policy = JSON.stringify({ Statement: [{ Resource: BASE, Condition: { DateLessThan: { 'AWS:EpochTime': t0s + 60 } } }] });
      expect(reason(`${BASE}?Expires=${t0s + 60}&${signPolicy(policy)}`)).toMatch(/Exactly one of Expires and Policy/);
    });
  });

  it('matches CloudFront wildcards: * any run, ? one character, the rest literally', () => {
    expect(wildcardMatch('https://d/a/*', 'https://d/a/b/c?x=1')).toBe(true);
    expect(wildcardMatch('https://d/a/?.txt', 'https://d/a/b.txt')).toBe(true);
    expect(wildcardMatch('https://d/a/?.txt', 'https://d/a/bb.txt')).toBe(false);
    expect(wildcardMatch('https://d/a.b', 'https://d/aXb')).toBe(false);
    expect(wildcardMatch('https://d/(a)+', 'https://d/(a)+')).toBe(true);
  });
});
