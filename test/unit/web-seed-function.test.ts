import { writeFileSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSourceEntry } from '../../lambdas/config/sources';
import { MAX_FUNCTION_BYTES, WEB_SEED_FUNCTION_FILE, webSeedFunctionSource } from '../../lambdas/edge/function-source';
import { privateObjectPath, publicObjectPath } from '../../lambdas/web-seeds/cloudfront-paths';
import { viewerRequestRunner, type ViewerRequestOutcome } from '../support/cloudfront-function';

const sources = ['media-bucket', 'docs/public/', 'private:vault', 'private:media-bucket/secret/'].map(parseSourceEntry);
const run = viewerRequestRunner(webSeedFunctionSource(sources));

function forwarded(outcome: ViewerRequestOutcome) {
  if (!('forwarded' in outcome)) throw new Error(`refused: ${outcome.response.statusCode} ${JSON.stringify(outcome.response.body)}`);
  return { uri: outcome.forwarded.uri, origin: outcome.origin, querystring: outcome.forwarded.querystring };
}

function refused(outcome: ViewerRequestOutcome) {
  if (!('response' in outcome)) throw new Error(`forwarded to ${outcome.origin}: ${outcome.forwarded.uri}`);
  const body = outcome.response.body;
  const text = typeof body === 'string' ? body : body?.encoding === 'text' ? body.data : '{}';
  return { status: outcome.response.statusCode, code: (JSON.parse(text) as { code: string }).code };
}

describe('the web-seed viewer-request function', () => {
  it('sends a public object to its bucket origin with the key as the path', async () => {
    expect(forwarded(await run('/media-bucket/films/a%20b.mkv'))).toEqual({
      uri: '/films/a%20b.mkv',
      origin: 's3-media-bucket',
      querystring: {},
    });
    expect(forwarded(await run('/docs/public/readme.txt'))).toMatchObject({ uri: '/public/readme.txt', origin: 's3-docs' });
  });

  it('turns a version in the path into ?versionId= for S3 (still percent-encoded, as query values are)', async () => {
    expect(forwarded(await run('/~3HL4kqtJlcpXroDTDmJ%2Bv/media-bucket/films/a.mkv'))).toEqual({
      uri: '/films/a.mkv',
      origin: 's3-media-bucket',
      querystring: { versionId: { value: '3HL4kqtJlcpXroDTDmJ%2Bv' } },
    });
    expect(forwarded(await run('/-/private/~v1/vault/report.pdf'))).toMatchObject({
      uri: '/report.pdf',
      querystring: { versionId: { value: 'v1' } },
    });
  });

  it('routes the private path, leaving the signed-URL parameters for CloudFront', async () => {
    const query = { Expires: '2000000000', Signature: 'abc', 'Key-Pair-Id': 'K123' };
    const out = forwarded(await run('/-/private/vault/report.pdf', query));
    expect(out).toMatchObject({ uri: '/report.pdf', origin: 's3-vault' });
    expect(Object.keys(out.querystring).sort()).toEqual(['Expires', 'Key-Pair-Id', 'Signature']);
    expect(forwarded(await run('/-/private/media-bucket/secret/x'))).toMatchObject({ uri: '/secret/x', origin: 's3-media-bucket' });
  });

  it.each([
    ['a bucket outside the allowlist', '/other-bucket/file', 403],
    ['a key outside the allowed prefix', '/docs/private/file', 403],
    ['a private object on the public path', '/vault/report.pdf', 403],
    ['a private prefix of a public bucket on the public path', '/media-bucket/secret/x', 403],
    ['a private object on the public version path', '/~v1/vault/report.pdf', 403],
    ['an unknown service path', '/-/webseed/media-bucket/a', 404],
    ['a missing key', '/media-bucket/', 400],
    ['a bucket alone', '/media-bucket', 400],
    ['an invalid bucket name', '/Media/a', 400],
    ['a traversal segment', '/media-bucket/a/../b', 400],
    ['an encoded traversal segment', '/media-bucket/a/%2E%2E/b', 400],
    ['a control character', '/media-bucket/a%0Ab', 400],
    ['malformed percent-encoding', '/media-bucket/a%E0%A4', 400],
    ['an empty version', '/~/media-bucket/a', 400],
    ['a malformed version', '/~%E0/media-bucket/a', 400],
    ['the private prefix alone', '/-/private', 404],
    ['a key longer than S3 allows', `/media-bucket/${'k'.repeat(1025)}`, 400],
  ])('refuses %s', async (_what, uri, status) => {
    expect(refused(await run(uri)).status).toBe(status);
  });

  it('answers a refusal as JSON {code, message} that nothing caches', async () => {
    expect(refused(await run('/other-bucket/file'))).toEqual({ status: 403, code: 'AccessDenied' });
    expect(refused(await run('/media-bucket/a/../b'))).toEqual({ status: 400, code: 'InvalidKey' });
    const outcome = await run('/vault/report.pdf');
    if (!('response' in outcome)) throw new Error('forwarded');
    expect(outcome.response.headers).toEqual({ 'content-type': { value: 'application/json' }, 'cache-control': { value: 'no-store' } });
  });

  it('reads the paths the endpoint writes', async () => {
    const key = 'dir/ü ß/+plus?.bin';
    expect(forwarded(await run(publicObjectPath({ bucket: 'media-bucket', key })))).toMatchObject({
      uri: `/${key.split('/').map(encodeURIComponent).join('/')}`,
      origin: 's3-media-bucket',
    });
    expect(forwarded(await run(publicObjectPath({ bucket: 'media-bucket', key, versionId: 'a/b+c' })))).toMatchObject({
      origin: 's3-media-bucket',
      querystring: { versionId: { value: encodeURIComponent('a/b+c') } },
    });
    expect(forwarded(await run(privateObjectPath({ bucket: 'vault', key, versionId: 'v 1' })))).toMatchObject({
      origin: 's3-vault',
      querystring: { versionId: { value: 'v%201' } },
    });
  });

  it('refuses everything when no source is configured', async () => {
    expect(refused(await viewerRequestRunner(webSeedFunctionSource([]))('/media-bucket/a')).status).toBe(403);
  });

  it('fails synthesis, not deployment, when the allowlist outgrows CloudFront Functions’ 10 KB', async () => {
    const many = Array.from({ length: 200 }, (_, i) => parseSourceEntry(`bucket-number-${i}/some/prefix/`));
    expect(() => webSeedFunctionSource(many)).toThrow(`at most ${MAX_FUNCTION_BYTES}`);
  });

  it('needs the line the allowlist is written into', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-'));
    try {
      const file = join(dir, 'f.js');
      writeFileSync(file, readFileSync(WEB_SEED_FUNCTION_FILE, 'utf8').replace('var SOURCES = [];', 'var SOURCES = [1];'));
      expect(() => webSeedFunctionSource(sources, file)).toThrow('no `var SOURCES = [];` line');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
