import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { LinkSigner, signedObjectUrl } from '../../lambdas/security/signed-links';
import { LOCAL_CREDENTIALS } from '../../local/s3';
import { aria2Download, haveAria2, haveLibtorrent, libtorrentDownload } from '../support/programs';
import { putObject, startTestService, testBytes, uniqueSuffix } from '../support/service';
import { decodeTorrent } from '../support/torrents';
import { announceQuery, scrapeQuery } from '../support/tracker-client';
import { bdecode } from '../../lambdas/core/bencode';

const str = (b: unknown) => Buffer.from(b as Uint8Array).toString();

describe('private sources', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let signer: LinkSigner;
  const bucket = `private-${uniqueSuffix()}`;
  const data = testBytes(400_000, 11);
  const key = 'secret/report.pdf';
  const nowS = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    service = await startTestService({ bucket, sources: `${bucket}/public/,private:${bucket}/secret/` });
    signer = new LinkSigner(service.signingKey);
    await putObject(service.clients, bucket, key, data);
    await putObject(service.clients, bucket, 'public/open.bin', testBytes(1000, 1));
  });
  afterAll(() => service.stop());

  const get = (path: string, init: RequestInit = {}) => fetch(`${service.apiUrl}${path}`, { redirect: 'manual', ...init });
  const torrentLink = (expires = nowS() + 600, target = { bucket, key }) =>
    signedObjectUrl(signer, service.apiUrl, { ...target, purpose: 'torrent' }, expires).slice(service.apiUrl.length);

  async function iamSigned(
    path: string,
    query: Record<string, string>,
    credentials: { accessKeyId: string; secretAccessKey: string } = LOCAL_CREDENTIALS,
  ) {
    const url = new URL(`${service.apiUrl}${path}`);
    const signerV4 = new SignatureV4({ credentials, region: 'us-east-1', service: 'execute-api', sha256: Sha256 });
    const request = await signerV4.sign(
      new HttpRequest({
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query,
        headers: { host: url.host },
      }),
    );
    const qs = new URLSearchParams(query).toString();
    return get(`${path}${qs ? `?${qs}` : ''}`, { headers: request.headers as Record<string, string> });
  }

  describe('refuse every unauthenticated path to the bytes or the torrent', () => {
    it.each([
      ['the torrent without a link', `/${'B'}/${key}?torrent`],
      ['the front door without a link', `/${'B'}/${key}`],
      ['the web seed without a link', `/-/webseed/${'B'}/${key}`],
      ['the versioned web seed without a link', `/-/webseed-version/some-version/${'B'}/${key}`],
      ['HEAD of the torrent', `/${'B'}/${key}?torrent`, 'HEAD'],
      ['the IAM route unsigned', `/-/iam/${'B'}/${key}?torrent`],
    ])('%s', async (_what, path, method = 'GET') => {
      const res = await get(path.replace('/B/', `/${bucket}/`), { method });
      expect(res.status).toBe(403);
      expect(res.headers.get('location')).toBeNull();
      if (method === 'GET') expect(res.headers.get('content-type')).not.toBe('application/x-bittorrent');
    });

    it('an expired link', async () => {
      expect((await get(torrentLink(nowS() - 1))).status).toBe(403);
    });

    it('a tampered link (another key, changed expiry, changed signature)', async () => {
      await putObject(service.clients, bucket, 'secret/other.pdf', testBytes(10, 2));
      const forOther = torrentLink(nowS() + 600).replace('secret/report.pdf', 'secret/other.pdf');
      expect((await get(forOther)).status).toBe(403);
      const link = torrentLink(nowS() + 600);
      expect((await get(link.replace(/expires=(\d+)/, (_m, e) => `expires=${Number(e) + 1}`))).status).toBe(403);
      expect((await get(link.replace(/signature=(.)/, (_m, c) => `signature=${c === 'A' ? 'B' : 'A'}`))).status).toBe(403);
    });

    it('a torrent link used for the bytes, and a bytes link used for the web seed', async () => {
      const torrentOnly = torrentLink().replace('?torrent&', '?');
      expect((await get(torrentOnly)).status).toBe(403);
      const objectLink = signedObjectUrl(signer, service.apiUrl, { bucket, key, purpose: 'object' }, nowS() + 600).slice(
        service.apiUrl.length,
      );
      expect((await get(objectLink)).status).toBe(307);
      expect((await get(objectLink.replace(`/${bucket}/`, `/-/webseed/${bucket}/`))).status).toBe(403);
    });

    it('an IAM signature made with the wrong secret', async () => {
      const res = await iamSigned(`/-/iam/${bucket}/${key}`, { torrent: '' }, { ...LOCAL_CREDENTIALS, secretAccessKey: 'wrong' });
      expect(res.status).toBe(403);
    });
  });

  it('a signed link gets a private torrent whose web seed and announce URL carry their own credentials', async () => {
    const res = await get(torrentLink());
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const torrent = decodeTorrent(Buffer.from(await res.arrayBuffer()));
    expect((torrent.info as Record<string, unknown>).private).toBe(1);
    const infoHash = res.headers.get('x-torrent-infohash')!;
    expect(str(torrent.announce)).toBe(`${service.apiUrl}/-/private/${signer.announceToken(infoHash)}/announce`);
    const webSeed = str((torrent['url-list'] as Uint8Array[])[0]);
    expect(webSeed).toMatch(new RegExp(`^${service.apiUrl}/-/webseed/${bucket}/secret/report\\.pdf\\?expires=\\d+&signature=`));
    const bytes = await fetch(webSeed, { headers: { range: 'bytes=100-199' } });
    expect(bytes.status).toBe(206);
    expect(Buffer.from(await bytes.arrayBuffer()).equals(data.subarray(100, 200))).toBe(true);
  });

  describe('the tracker serves a private torrent only through its token URL', () => {
    let infoHash: Buffer;
    let announceUrl: string;
    const peerId = Buffer.from('-TS0001-private-peer');
    const failureOf = async (res: Response) => {
      const body = bdecode(Buffer.from(await res.arrayBuffer())) as Record<string, Uint8Array>;
      return body['failure reason'] === undefined ? undefined : Buffer.from(body['failure reason']).toString();
    };
    beforeAll(async () => {
      const res = await get(torrentLink());
      infoHash = Buffer.from(res.headers.get('x-torrent-infohash')!, 'hex');
      announceUrl = str(decodeTorrent(Buffer.from(await res.arrayBuffer())).announce);
    });

    it('announces with the token', async () => {
      const res = await fetch(`${announceUrl}?${announceQuery({ infoHash, peerId, port: 6881, left: 10, event: 'started' })}`);
      expect(res.status).toBe(200);
      expect(await failureOf(res)).toBeUndefined();
    });

    it('scrapes with the token, at the URL clients derive (announce -> scrape)', async () => {
      const res = await fetch(`${announceUrl.replace(/announce$/, 'scrape')}?${scrapeQuery([infoHash])}`);
      const body = bdecode(Buffer.from(await res.arrayBuffer())) as { files?: Record<string, unknown> };
      expect(Object.keys(body.files ?? {})).toHaveLength(1);
    });

    it.each([
      ['the public announce URL', () => `${service.apiUrl}/announce`],
      ["another torrent's token", () => announceUrl.replace(/private\/[^/]+\//, `private/${signer.announceToken('00'.repeat(20))}/`)],
      ['a forged token', () => announceUrl.replace(/private\/[^/]+\//, 'private/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/')],
      ['an empty-looking token', () => announceUrl.replace(/private\/[^/]+\//, 'private/x/')],
    ])('refuses %s as an unregistered torrent', async (_what, url) => {
      const res = await fetch(`${url()}?${announceQuery({ infoHash, peerId, port: 6881, left: 10 })}`);
      expect(res.status).toBe(200);
      expect(await failureOf(res)).toMatch(/unregistered torrent/);
    });

    it('takes the one token of a private hybrid torrent for both hashes clients announce (v1, truncated v2)', async () => {
      const res = await get(torrentLink().replace('?torrent&', '?torrent&version=hybrid&'));
      expect(res.status).toBe(200);
      const hybridAnnounce = str(decodeTorrent(Buffer.from(await res.arrayBuffer())).announce);
      const v1 = Buffer.from(res.headers.get('x-torrent-infohash')!, 'hex');
      const v2 = Buffer.from(res.headers.get('x-torrent-infohash-v2')!.slice(0, 40), 'hex');
      for (const hash of [v1, v2]) {
        const answer = await fetch(`${hybridAnnounce}?${announceQuery({ infoHash: hash, peerId, port: 6881, left: 10 })}`);
        expect(await failureOf(answer)).toBeUndefined();
      }
      const publicAnswer = await fetch(`${service.apiUrl}/announce?${announceQuery({ infoHash: v2, peerId, port: 6881, left: 10 })}`);
      expect(await failureOf(publicAnswer)).toMatch(/unregistered torrent/);
    });

    it('leaves it out of public scrapes', async () => {
      const res = await fetch(`${service.apiUrl}/scrape?${scrapeQuery([infoHash])}`);
      expect(await failureOf(res)).toMatch(/unregistered torrent/);
    });
  });

  it('public and private torrents of the same bytes differ (private=1 changes the infohash)', async () => {
    await putObject(service.clients, bucket, 'public/report.pdf', data);
    const open = await get(`/${bucket}/public/report.pdf?torrent`);
    const closed = await get(torrentLink());
    expect(open.headers.get('x-torrent-infohash')).not.toBe(closed.headers.get('x-torrent-infohash'));
  });

  it('a SigV4-signed request on the IAM route gets the torrent without a link', async () => {
    const res = await iamSigned(`/-/iam/${bucket}/${key}`, { torrent: '' });
    expect(res.status).toBe(200);
    expect((decodeTorrent(Buffer.from(await res.arrayBuffer())).info as Record<string, unknown>).private).toBe(1);
    const front = await iamSigned(`/-/iam/${bucket}/${key}`, {});
    expect(front.status).toBe(307);
  });

  it('public keys next to private ones stay public', async () => {
    expect((await get(`/${bucket}/public/open.bin?torrent`)).status).toBe(200);
  });

  describe('real clients download a private torrent through its signed web seed', () => {
    let dir: string;
    let torrentPath: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'private-'));
      const res = await get(torrentLink());
      torrentPath = join(dir, 'private.torrent');
      writeFileSync(torrentPath, Buffer.from(await res.arrayBuffer()));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    (haveAria2() ? it : it.skip)('aria2c', async () => {
      const out = join(dir, 'aria2');
      const r = await aria2Download(torrentPath, out);
      expect(r).toMatchObject({ status: 0 });
      expect(readFileSync(join(out, 'report.pdf')).equals(data)).toBe(true);
    });

    (haveLibtorrent() ? it : it.skip)('libtorrent', async () => {
      const out = join(dir, 'libtorrent');
      const r = await libtorrentDownload(torrentPath, out);
      expect(r).toMatchObject({ status: 0 });
      expect(readFileSync(join(out, 'report.pdf')).equals(data)).toBe(true);
    });
  });
});
