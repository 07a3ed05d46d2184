import { generateKeyPairSync } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DEFAULT_PRESIGNED_URL_TTL_SECONDS } from '../../lambdas/config/env';
import { parseSourceEntry } from '../../lambdas/config/sources';
import { webSeedFunctionSource } from '../../lambdas/edge/function-source';
import { verifyCloudFrontSignedUrl } from '../../lambdas/security/cloudfront-signed-urls';
import { CloudFrontWebSeeds } from '../../lambdas/web-seeds/web-seeds';
import { viewerRequestRunner } from '../support/cloudfront-function';

/**
 * Why the web seed moved to CloudFront: a URL presigned by a Lambda is signed with the role's
 * temporary credentials, and S3 stops honouring it when that role session ends, whatever its
 * X-Amz-Expires (S3 user guide, "Presigned URL expiration"). A CloudFront signed URL is checked
 * against the key group only, so its lifetime is the one we write into it.
 */
const T0 = new Date('2030-01-01T00:00:00Z');
const after = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const SESSION_SECONDS = 15 * 60; // the shortest role session STS issues
const session = {
  accessKeyId: 'ASIAEXAMPLESESSION01',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
  expiration: after(SESSION_SECONDS),
};
const REGION = 'eu-west-1';

function presign(credentials: typeof session, signingDate: Date, expiresIn: number): Promise<string> {
  const client = new S3Client({ region: REGION, credentials });
  return getSignedUrl(client, new GetObjectCommand({ Bucket: 'media-bucket', Key: 'films/a.mkv' }), { signingDate, expiresIn });
}

/**
 * S3's documented rule for a presigned GET, as a model: the signature must be the one the named
 * credentials make, X-Amz-Date + X-Amz-Expires must not have passed, and temporary credentials
 * must still be valid: their session's end ends the URL.
 */
async function s3WouldServe(url: string, now: Date, credentialsById: Map<string, typeof session>): Promise<string> {
  const query = new URL(url).searchParams;
  const credentials = credentialsById.get((query.get('X-Amz-Credential') ?? '').split('/')[0] as string);
  if (credentials === undefined) return 'InvalidAccessKeyId';
  const signedAt = query.get('X-Amz-Date') as string;
  const signingDate = new Date(signedAt.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const expiresIn = Number(query.get('X-Amz-Expires'));
  if ((await presign(credentials, signingDate, expiresIn)) !== url) return 'SignatureDoesNotMatch';
  if (now.getTime() > signingDate.getTime() + expiresIn * 1000) return 'AccessDenied: Request has expired';
  if (query.get('X-Amz-Security-Token') !== null && now >= credentials.expiration) return 'ExpiredToken';
  return 'served';
}

describe('web seeds outlive the role session that issued them', () => {
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const PRIVATE_TTL = 7 * 24 * 3600;
  const webSeeds = new CloudFrontWebSeeds({
    baseUrl: 'https://d111111abcdef8.cloudfront.net',
    signingKey: async () => ({ keyPairId: 'K2JCJMDEHXQW5F', privateKeyPem: keys.privateKey }),
    privateWebSeedTtlSeconds: PRIVATE_TTL,
    redirectTtlSeconds: DEFAULT_PRESIGNED_URL_TTL_SECONDS,
  });
  const object = { bucket: 'media-bucket', key: 'films/a.mkv', name: 'a.mkv', format: 'v1' as const };
  const verify = (url: string, now: Date) =>
    verifyCloudFrontSignedUrl(url, { publicKeys: new Map([['K2JCJMDEHXQW5F', keys.publicKey]]), now });

  it('contrast: a URL presigned with the session’s credentials dies with the session, well before its X-Amz-Expires', async () => {
    const url = await presign(session, T0, DEFAULT_PRESIGNED_URL_TTL_SECONDS);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe(String(DEFAULT_PRESIGNED_URL_TTL_SECONDS));
    const credentials = new Map([[session.accessKeyId, session]]);
    expect(await s3WouldServe(url, after(60), credentials)).toBe('served');
    expect(await s3WouldServe(url, after(SESSION_SECONDS + 1), credentials)).toBe('ExpiredToken');
    expect(await s3WouldServe(url, after(3600), credentials)).toBe('ExpiredToken');
    expect(await s3WouldServe(url.replace('films', 'filmz'), after(60), credentials)).toBe('SignatureDoesNotMatch');
  });

  it('a private object’s CloudFront web seed, signed during that session, stays valid for the configured week', async () => {
    const url = await webSeeds.torrentWebSeed({ ...object, access: 'private' }, 'https://api.example', T0);
    for (const at of [after(SESSION_SECONDS + 1), after(3600), after(6 * 24 * 3600)]) expect(verify(url, at)).toMatchObject({ ok: true });
    expect(verify(url, after(PRIVATE_TTL))).toMatchObject({ ok: false, reason: expect.stringMatching(/expired/) });
  });

  it('a public object’s CloudFront web seed has no expiry of its own: the same plain URL, served at any time', async () => {
    const url = await webSeeds.torrentWebSeed({ ...object, access: 'public' }, 'https://api.example', T0);
    expect(url).toBe('https://d111111abcdef8.cloudfront.net/media-bucket/films/a.mkv');
    expect(await webSeeds.torrentWebSeed({ ...object, access: 'public' }, 'https://api.example', after(365 * 24 * 3600))).toBe(url);
    // Nothing in it could expire: no query string at all, and the edge function has no clock.
    expect(new URL(url).search).toBe('');
    const edge = viewerRequestRunner(webSeedFunctionSource([parseSourceEntry('media-bucket')]));
    expect(await edge(new URL(url).pathname)).toMatchObject({ origin: 's3-media-bucket', forwarded: { uri: '/films/a.mkv' } });
  });
});
