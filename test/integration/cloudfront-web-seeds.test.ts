import { generateKeyPairSync } from 'node:crypto';
import { parseSourceEntry } from '../../lambdas/config/sources';
import { webSeedFunctionSource } from '../../lambdas/edge/function-source';
import { verifyCloudFrontSignedUrl } from '../../lambdas/security/cloudfront-signed-urls';
import { LinkSigner, signedObjectUrl } from '../../lambdas/security/signed-links';
import { viewerRequestRunner } from '../support/cloudfront-function';
import { putObject, startTestService, testBytes, uniqueSuffix } from '../support/service';
import { decodeTorrent } from '../support/torrents';

// The endpoint in CloudFront mode, on the stand-ins: which URLs torrents and redirects carry, checked
// with the signed-URL verifier and the very viewer-request function the stack deploys.
describe('web seeds on CloudFront', () => {
  const DISTRIBUTION = 'https://d111111abcdef8.cloudfront.net';
  const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
  const keys = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const bucket = `cf-${uniqueSuffix()}`;
  const sources = `${bucket},private:${bucket}/secret/`;
  const edge = viewerRequestRunner(webSeedFunctionSource(sources.split(',').map(parseSourceEntry)));
  const PRIVATE_TTL = 30 * 24 * 3600;
  const REDIRECT_TTL = 600;
  let service: Awaited<ReturnType<typeof startTestService>>;
  let signer: LinkSigner;

  beforeAll(async () => {
    service = await startTestService({
      bucket,
      sources,
      presignedUrlTtlSeconds: REDIRECT_TTL,
      privateWebSeedTtlSeconds: PRIVATE_TTL,
      cloudFront: { baseUrl: `${DISTRIBUTION}/`, signingKey: async () => ({ keyPairId: KEY_PAIR_ID, privateKeyPem: keys.privateKey }) },
    });
    signer = new LinkSigner(service.signingKey);
    await putObject(service.clients, bucket, 'films/open film.mkv', testBytes(300_000, 3));
    await putObject(service.clients, bucket, 'secret/report.pdf', testBytes(200_000, 4));
  });
  afterAll(() => service.stop());

  const get = (path: string) => fetch(`${service.apiUrl}${path}`, { redirect: 'manual' });
  const webSeedOf = async (res: Response) => {
    expect(res.status).toBe(200);
    const list = decodeTorrent(Buffer.from(await res.arrayBuffer()))['url-list'] as Uint8Array[];
    expect(list).toHaveLength(1);
    return Buffer.from(list[0] as Uint8Array).toString();
  };
  const verify = (url: string, now: Date) => verifyCloudFrontSignedUrl(url, { publicKeys: new Map([[KEY_PAIR_ID, keys.publicKey]]), now });
  const edgeOutcome = (url: string) => {
    const { pathname, searchParams } = new URL(url);
    return edge(pathname, Object.fromEntries(searchParams));
  };

  it('a public torrent names the object on the distribution: no query string, nothing that expires', async () => {
    const webSeed = await webSeedOf(await get(`/${bucket}/films/open%20film.mkv?torrent`));
    expect(webSeed).toBe(`${DISTRIBUTION}/${bucket}/films/open%20film.mkv`);
    expect(await edgeOutcome(webSeed)).toMatchObject({ origin: `s3-${bucket}`, forwarded: { uri: '/films/open%20film.mkv' } });
  });

  it('a public v2 torrent names the directory, and the name clients append reaches the object', async () => {
    const webSeed = await webSeedOf(await get(`/${bucket}/films/open%20film.mkv?torrent&version=2`));
    expect(webSeed).toBe(`${DISTRIBUTION}/${bucket}/films/`);
    expect(await edgeOutcome(`${webSeed}open%20film.mkv`)).toMatchObject({
      origin: `s3-${bucket}`,
      forwarded: { uri: '/films/open%20film.mkv' },
    });
  });

  it('the front door and the API’s web-seed route redirect public objects to the distribution', async () => {
    for (const path of [`/${bucket}/films/open%20film.mkv`, `/-/webseed/${bucket}/films/open%20film.mkv`]) {
      const res = await get(path);
      expect(res.status).toBe(307);
      expect(res.headers.get('location')).toBe(`${DISTRIBUTION}/${bucket}/films/open%20film.mkv`);
    }
  });

  it('a private torrent carries a CloudFront signed URL on the private path, valid for the configured lifetime', async () => {
    const issued = new Date();
    const link = signedObjectUrl(
      signer,
      service.apiUrl,
      { bucket, key: 'secret/report.pdf', purpose: 'torrent' },
      Math.floor(Date.now() / 1000) + 600,
    );
    const webSeed = await webSeedOf(await fetch(link));
    expect(webSeed).toMatch(
      new RegExp(`^${DISTRIBUTION}/-/private/${bucket}/secret/report\\.pdf\\?Expires=\\d+&Key-Pair-Id=${KEY_PAIR_ID}&Signature=`),
    );
    const later = (seconds: number) => new Date(issued.getTime() + seconds * 1000);
    expect(verify(webSeed, later(PRIVATE_TTL - 60))).toMatchObject({ ok: true });
    expect(verify(webSeed, later(PRIVATE_TTL + 60))).toMatchObject({ ok: false, reason: expect.stringMatching(/expired/) });
    expect(await edgeOutcome(webSeed)).toMatchObject({ origin: `s3-${bucket}`, forwarded: { uri: '/secret/report.pdf' } });
    // The same object on the public path is refused at the edge, signature or not.
    expect(await edgeOutcome(webSeed.replace('/-/private', ''))).toMatchObject({ response: { statusCode: 403 } });
  });

  it('a private object’s front door, with a link, redirects to a signed URL that lives as long as redirects do', async () => {
    const link = signedObjectUrl(
      signer,
      service.apiUrl,
      { bucket, key: 'secret/report.pdf', purpose: 'object' },
      Math.floor(Date.now() / 1000) + 600,
    );
    const res = await fetch(link, { redirect: 'manual' });
    expect(res.status).toBe(307);
    const location = res.headers.get('location') as string;
    expect(verify(location, new Date(Date.now() + (REDIRECT_TTL - 60) * 1000))).toMatchObject({ ok: true });
    expect(verify(location, new Date(Date.now() + (REDIRECT_TTL + 60) * 1000))).toMatchObject({ ok: false });
  });

  it('without a link a private object gets nothing: no torrent, no redirect', async () => {
    for (const path of [`/${bucket}/secret/report.pdf?torrent`, `/${bucket}/secret/report.pdf`, `/-/webseed/${bucket}/secret/report.pdf`]) {
      const res = await get(path);
      expect(res.status).toBe(403);
      expect(res.headers.get('location')).toBeNull();
    }
  });
});
