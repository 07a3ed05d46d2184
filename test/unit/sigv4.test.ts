import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { verifySigV4, type SignedRequest } from '../../local/sigv4';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const now = new Date('2026-03-01T12:00:00Z');

async function signed(
  path: string,
  query: Record<string, string> = {},
  creds = credentials,
  service = 'execute-api',
): Promise<SignedRequest> {
  const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service, sha256: Sha256 });
  const request = await signer.sign(
    new HttpRequest({
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 3000,
      path,
      query,
      headers: { host: '127.0.0.1:3000' },
    }),
    { signingDate: now },
  );
  return {
    method: 'GET',
    host: '127.0.0.1:3000',
    path,
    query,
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
  };
}

describe('verifySigV4 (the local stand-in for API Gateway IAM authorization)', () => {
  it('accepts a request signed by a known key', async () => {
    expect(await verifySigV4(await signed('/-/iam/b/a%20b.bin', { torrent: '' }), [credentials], now)).toEqual({
      ok: true,
      accessKeyId: 'AKIDEXAMPLE',
    });
  });

  it('refuses a request whose path or query changed after signing', async () => {
    const request = await signed('/-/iam/b/a.bin', { torrent: '' });
    expect((await verifySigV4({ ...request, path: '/-/iam/b/other.bin' }, [credentials], now)).ok).toBe(false);
    expect((await verifySigV4({ ...request, query: {} }, [credentials], now)).ok).toBe(false);
  });

  it('refuses a signature made with the wrong secret, an unknown key, or for another service', async () => {
    expect(await verifySigV4(await signed('/x', {}, { ...credentials, secretAccessKey: 'wrong' }), [credentials], now)).toMatchObject({
      ok: false,
      reason: 'signature mismatch',
    });
    expect(await verifySigV4(await signed('/x', {}, { ...credentials, accessKeyId: 'AKIDOTHER' }), [credentials], now)).toMatchObject({
      ok: false,
      reason: 'unknown access key',
    });
    expect((await verifySigV4(await signed('/x', {}, credentials, 's3'), [credentials], now)).ok).toBe(false);
  });

  it('refuses unsigned requests and stale signatures', async () => {
    expect(await verifySigV4({ method: 'GET', host: 'h', path: '/x', query: {}, headers: {} }, [credentials], now)).toMatchObject({
      ok: false,
    });
    const request = await signed('/x');
    expect(await verifySigV4(request, [credentials], new Date(now.getTime() + 16 * 60 * 1000))).toMatchObject({
      ok: false,
      reason: 'signature date too far from now',
    });
  });
});
