import { putObject, startTestService, testBytes, uniqueSuffix } from '../support/service';
import { rawGet, type RawResponse } from '../support/raw-http';
import { encodeKeyPath } from '../../lambdas/http/routes';
import { parseTorrentFile } from '../../lambdas/core/metainfo';

/**
 * A corpus of malformed and hostile requests, sent byte-for-byte to the local HTTP API: every one
 * must get a clear 4xx (JSON from our handlers, or the gateway's own 4xx), none a 5xx, none may
 * hang, and the service must keep serving afterwards.
 */
interface HostileCase {
  readonly name: string;
  readonly target: string;
  readonly headers?: string[];
  readonly method?: string;
  /** Tracker requests are answered HTTP 200 with a bencoded `failure reason`, never a 4xx. */
  readonly tracker?: boolean;
}

const B = '{bucket}';
const cases: HostileCase[] = [];
const add = (name: string, target: string, extra: Partial<HostileCase> = {}) => cases.push({ name, target, ...extra });

// Path traversal, on the object, web-seed and IAM routes, with and without ?torrent.
const traversals = [
  `/${B}/../../etc/passwd`,
  `/${B}/..%2f..%2fetc%2fpasswd`,
  `/${B}/%2e%2e/%2e%2e/etc/passwd`,
  `/${B}/a/../../../../x`,
  `/${B}/./ok.bin`,
  `/${B}/ok.bin/..`,
  `/${B}/..`,
  `/${B}/.`,
  `/${B}/%2e`,
  `/${B}/a%2F..%2Fok.bin`,
  `/${B}/%c0%ae%c0%ae/x`,
  `/${B}/%252e%252e/x`,
  `/../${B}/ok.bin`,
  `/..`,
  `/%2e%2e/${B}/ok.bin`,
];
for (const t of traversals) {
  for (const prefix of ['', '/-/webseed', '/-/iam']) {
    // `%252e` decodes once to the literal key `%2e%2e/x`: legal, and the web seed redirects without a HEAD.
    if (prefix === '/-/webseed' && t.includes('%252e')) continue;
    add(`traversal ${prefix}${t}`, `${prefix}${t}`);
    if (prefix !== '/-/webseed') add(`traversal ${prefix}${t}?torrent`, `${prefix}${t}?torrent`);
  }
}

// Encoded slashes and separators.
for (const t of [
  `/${B}/%2F%2Fmissing`,
  `/%2F/x`,
  `/${B}%2F/x`,
  `/-%2Fiam/${B}/ok.bin`,
  `/${B}/%5c..%5cx`,
  `/${B}//`,
  `/${B}/%2F`,
  `//${B}/ok.bin`,
]) {
  add(`encoded slash ${t}`, t);
  add(`encoded slash ${t}?torrent`, `${t}?torrent`);
}

// Overlong keys and names.
for (const [label, key] of [
  ['1025 bytes', 'k'.repeat(1025)],
  ['5000 bytes', 'k'.repeat(5000)],
  ['1026 bytes of euro signs', encodeURIComponent('€'.repeat(342))],
  ['20000 bytes (past the header limit)', 'k'.repeat(20_000)],
] as const) {
  add(`overlong key ${label}`, `/${B}/${key}?torrent`);
  add(`overlong key on the web seed ${label}`, `/-/webseed/${B}/${key}`);
}
add('overlong bucket', `/${'a'.repeat(64)}/x?torrent`);
add('overlong bucket, 5000 bytes', `/${'a'.repeat(5000)}/x?torrent`);

// Unicode and control characters.
for (const seq of [
  '%C3%28',
  '%A0%A1',
  '%E2%28%A1',
  '%F0%28%8C%BC',
  '%ED%A0%80',
  '%FF',
  '%C0%AF',
  '%00',
  '%0d%0aSet-Cookie:%20x=1',
  '%1b[31m',
  '%7f',
  'a%00.bin',
]) {
  add(`bad bytes ${seq}`, `/${B}/${seq}?torrent`);
  add(`bad bytes ${seq} on the web seed`, `/-/webseed/${B}/${seq}`);
}
for (const key of ['😀.bin', '\u202Egnp.exe', 'zero\u200Bwidth.bin', '日本語/ファイル.bin', 'Ω≈ç√.bin', 'ｆｕｌｌ.bin']) {
  add(`missing unicode key ${JSON.stringify(key)}`, `/${B}/${encodeURIComponent(key)}?torrent`);
}

// Bad ranges on the web seed.
for (const range of [
  'bytes=abc',
  'bytes=',
  'bytes=5-1',
  'items=0-1',
  'bytes=--1',
  'bytes=1-2-3',
  'bytes=0-1,x',
  `bytes=${'0-1,'.repeat(20)}0-1`,
  'bytes=9999999999999999-',
  'bytes= -',
  'bytes=-',
  'bytes=1.5-2',
  'bytes=0x10-0x20',
  '',
]) {
  add(`bad range ${JSON.stringify(range)}`, `/-/webseed/${B}/ok.bin`, { headers: [`Range: ${range}`] });
}

// Missing, duplicated and forged parameters.
for (const q of [
  'torrent&torrent',
  'torrent=1&torrent=2',
  'torrent&versionId=a&versionId=b',
  'torrent&expires=1&signature=x',
  'torrent&signature=x',
  'torrent&expires=9999999999',
  'torrent&expires=abc&signature=x',
  'torrent&expires=1&expires=2&signature=a',
  'torrent&expires=99999999999999999999&signature=a',
  `torrent&expires=${Math.floor(Date.now() / 1000) + 600}&signature=${'A'.repeat(43)}`,
]) {
  add(`private object with ?${q}`, `/${B}/vault/secret.bin?${q}`);
}
for (const q of ['versionId=a&versionId=b', 'expires=1&signature=x', 'signature=&expires=']) {
  add(`private web seed with ?${q}`, `/-/webseed/${B}/vault/secret.bin?${q}`);
}
add('private front door without a link', `/${B}/vault/secret.bin`);

// Invalid and unknown buckets.
for (const bucket of [
  'A',
  'ab',
  'a_b',
  'UPPER',
  '192.168.1.1',
  'xn--abc',
  'bucket-s3alias',
  'b--ol-s3',
  '-abc',
  'abc-',
  '.abc',
  'ab..cd',
  'not-allowed-bucket',
  'no-such-bucket-zz9',
]) {
  add(`bucket ${bucket}`, `/${bucket}/x.bin?torrent`);
  add(`bucket ${bucket} on the web seed`, `/-/webseed/${bucket}/x.bin`);
}

// Methods no route takes.
for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']) {
  add(`${method} on an object`, `/${B}/ok.bin?torrent`, { method });
  add(`${method} on the web seed`, `/-/webseed/${B}/ok.bin`, { method });
}

// Oversized query strings.
add('query of 5,000 bytes', `/${B}/ok.bin?torrent&${'x'.repeat(5000)}`);
add('query of 15,000 bytes', `/${B}/ok.bin?torrent&${'x=1&'.repeat(3750)}`);
add('query of 40,000 bytes', `/${B}/ok.bin?torrent&${'x'.repeat(40_000)}`);

// Forged IAM authorization.
for (const authorization of [
  'AWS4-HMAC-SHA256',
  'AWS4-HMAC-SHA256 Credential=S3RVER/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64),
  'AWS4-HMAC-SHA256 Credential=NOBODY/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=' +
    'a'.repeat(64),
  'Bearer abc',
  'Basic ' + Buffer.from('S3RVER:S3RVER').toString('base64'),
  'AWS4-HMAC-SHA256 Credential=S3RVER/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=' + 'b'.repeat(64),
]) {
  add(`IAM route with Authorization ${authorization.slice(0, 40)}`, `/-/iam/${B}/vault/secret.bin?torrent`, {
    headers: [`Authorization: ${authorization}`, 'X-Amz-Date: 20260101T000000Z'],
  });
}

// Impossible version ids, in the path of the versioned web seed and in `?versionId=`: 400 InvalidArgument.
const badVersionIds = ['..', '.', '%2e%2e', '...', 'a%2Fb', '%00', 'a%20b', 'a%5cb', '%E2%80%AE', 'v'.repeat(1025), '%22x%22'];
const versionCases: string[] = [];
for (const v of badVersionIds) {
  // (`a%2Fb` in the path decodes to two segments, which makes `b` the bucket: InvalidBucketName.)
  if (v !== 'a%2Fb') versionCases.push(`/-/webseed-version/${v}/${B}/ok.bin`);
  versionCases.push(`/-/webseed/${B}/ok.bin?versionId=${v}`);
}
versionCases.push(`/-/webseed/${B}/ok.bin?versionId=`);
for (const target of versionCases) add(`version id ${target.slice(0, 80)}`, target);

// Tracker: every refusal is HTTP 200 with a bencoded failure reason.
const hash20 = '%AA'.repeat(20);
const peer20 = '-XX0001-' + 'a'.repeat(12);
const announce = (q: string) => `/announce?${q}`;
const valid = `info_hash=${hash20}&peer_id=${peer20}&port=6881&uploaded=0&downloaded=0&left=10&compact=1`;
const trackerCases: [string, string][] = [
  ['unregistered torrent', announce(valid)],
  ['no parameters', '/announce'],
  ['empty query', '/announce?'],
  ['info_hash of 19 bytes', announce(valid.replace(hash20, '%AA'.repeat(19)))],
  ['info_hash of 21 bytes', announce(valid.replace(hash20, '%AA'.repeat(21)))],
  ['info_hash of 40 hex characters', announce(valid.replace(hash20, 'aa'.repeat(20)))],
  ['info_hash with a broken escape', announce(valid.replace(hash20, '%A'.repeat(20)))],
  ['info_hash twice', announce(`${valid}&info_hash=${hash20}`)],
  ['peer_id of 19 bytes', announce(valid.replace(peer20, peer20.slice(1)))],
  ['peer_id of 300 bytes', announce(valid.replace(peer20, 'p'.repeat(300)))],
  ['no peer_id', announce(valid.replace(`&peer_id=${peer20}`, ''))],
  ['no port', announce(valid.replace('&port=6881', ''))],
  ['no left', announce(valid.replace('&left=10', ''))],
  ['no info_hash', announce(valid.replace(`info_hash=${hash20}&`, ''))],
  ...['0', '-1', '65536', '99999999999', 'abc', '6881.5', '', '0x1AE1', '%206881', '6881&port=6882'].map((port): [string, string] => [
    `port ${JSON.stringify(port)}`,
    announce(valid.replace('port=6881', `port=${port}`)),
  ]),
  ...['-1', 'abc', '1e9', '99999999999999999999999', ''].map((left): [string, string] => [
    `left ${JSON.stringify(left)}`,
    announce(valid.replace('left=10', `left=${left}`)),
  ]),
  ...['-5', 'lots', '99999999', '1e3'].map((n): [string, string] => [`numwant ${n}`, announce(`${valid}&numwant=${n}`)]),
  ...['finished', 'STARTED', '', 'started%00'].map((e): [string, string] => [
    `event ${JSON.stringify(e)}`,
    announce(`${valid}&event=${e}`),
  ]),
  ...['999.1.1.1', '::ffff:zz', '1.2.3', 'localhost', '%00', '1.2.3.4%0d%0a'].map((ip): [string, string] => [
    `ip hint ${ip}`,
    announce(`${valid}&ip=${ip}&ipv6=${ip}`),
  ]),
  ['uploaded negative', announce(valid.replace('uploaded=0', 'uploaded=-5'))],
  ['compact=2', announce(valid.replace('compact=1', 'compact=2'))],
  ['query of 15,000 bytes', announce(`${valid}&${'x=1&'.repeat(3750)}`)],
  ['raw bytes in the query', announce(`${valid}&key=%FF%FE%00`)],
  ['scrape without info_hash', '/scrape'],
  ['scrape of 19 bytes', `/scrape?info_hash=${'%AA'.repeat(19)}`],
  ['scrape of an unregistered torrent', `/scrape?info_hash=${hash20}`],
  ['scrape of 100 hashes', `/scrape?${Array.from({ length: 100 }, () => `info_hash=${hash20}`).join('&')}`],
  ['private announce with a forged token', `/-/private/AAAA/announce?${valid}`],
  ['private scrape with a forged token', `/-/private/AAAA/scrape?info_hash=${hash20}`],
  ['private announce with an empty-ish token', `/-/private/%20/announce?${valid}`],
];
for (const [name, target] of trackerCases) add(`tracker: ${name}`, target, { tracker: true });

// Malformed HTTP.
add('space in the request target', `/${B}/a b?torrent`);
add('absolute-form target to another host', `http://evil.example/${B}/missing.bin?torrent`);
add('asterisk target', '*');
add('empty path segments only', '/');
add('no bucket, only a key', '/-/webseed/');

describe('hostile input', () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  let port: number;
  const bucket = `hostile-${uniqueSuffix()}`;
  const results: { name: string; status: number; body: string }[] = [];

  beforeAll(async () => {
    service = await startTestService({ bucket, sources: `${bucket},private:${bucket}/vault/` });
    port = Number(new URL(service.apiUrl).port);
    await putObject(service.clients, bucket, 'ok.bin', testBytes(5000, 1));
    await putObject(service.clients, bucket, 'vault/secret.bin', testBytes(5000, 2));
  });
  afterAll(() => service.stop());

  it('has at least 200 cases', () => expect(cases.length).toBeGreaterThanOrEqual(200));

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const res: RawResponse = await rawGet(port, c.target.replaceAll(B, bucket), c.headers, c.method);
    results.push({ name: c.name, status: res.status, body: res.body.toString('utf8', 0, 300) });
    if (c.tracker) {
      expect(res.status).toBe(200);
      expect(res.body.toString('latin1')).toMatch(/^d14:failure reason\d+:/);
      return;
    }
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers['location']).toBeUndefined();
    if (res.headers['content-type'] === 'application/json' && res.body.length > 0) {
      const body = JSON.parse(res.body.toString()) as Record<string, unknown>;
      expect(typeof (body.code ?? body.message)).toBe('string');
      expect(JSON.stringify(body)).not.toMatch(/at \w+ \(|node_modules|Error:/);
    }
  });

  it.each(versionCases.map((t) => [t.slice(0, 80), t]))(
    'refuses an impossible version id with 400 InvalidArgument: %s',
    async (_name, target) => {
      const res = await rawGet(port, target.replaceAll(B, bucket));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body.toString())).toMatchObject({ code: 'InvalidArgument' });
    },
  );

  it('serves a key holding a Windows path under its last component, in the info dict and Content-Disposition', async () => {
    const key = 'a/..\\..\\..\\evil.bin';
    await putObject(service.clients, bucket, key, testBytes(3000, 3));
    const res = await fetch(`${service.apiUrl}/${bucket}/${encodeKeyPath(key)}?torrent`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="evil.bin.torrent"');
    const meta = parseTorrentFile(Buffer.from(await res.arrayBuffer()));
    expect(meta.name).toBe('evil.bin');
  });

  it('keeps serving afterwards: a torrent, then an announce for it', async () => {
    const res = await fetch(`${service.apiUrl}/${bucket}/ok.bin?torrent`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-bittorrent');
    const hash = Buffer.from(res.headers.get('x-torrent-infohash')!, 'hex');
    const query = valid.replace(hash20, [...hash].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
    const answer = Buffer.from(await (await fetch(`${service.apiUrl}/announce?${query}`)).arrayBuffer()).toString('latin1');
    expect(answer).toMatch(/^d8:completei\d+e10:incompletei\d+e8:intervali\d+e/);
  });
});
