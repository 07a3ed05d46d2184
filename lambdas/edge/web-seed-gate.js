import cf from 'cloudfront';

// The web seed's viewer-request function (cloudfront-js-2.0); docs/web-seed.md explains it.
// Path: [/_<gate key>.<ticket id>][/~<version id>]/<bucket>/<key> (lambdas/edge/web-seed-paths.ts).
// With a ticket, the request is served unless the torrent's KeyValueStore entry
// ("1;<until>;<id>,<id>...", lambdas/core/gate/gate-value.ts) is live and lacks the ticket; then
// libtorrent-family clients are parked (a 206 for a byte range they did not ask for, which
// libtorrent retries 30 s later) and every other client is served. No entry, a stale one, or a
// failed read: served. Served requests go to the bucket's S3 origin (ORIGIN_PREFIX + bucket) as
// /<key>. Local runs execute this very file under local/cloudfront-function-shim.ts.

const kvs = cf.kvs();
const ORIGIN_PREFIX = 's3-';
const PATH = /^(?:\/_([0-9a-f]{16})\.([a-z2-7]{8}))?(?:\/~([^/]+))?\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;
const PARKABLE = /(^|[\s(])(libtorrent|qBittorrent)\//;

async function handler(event) {
  const request = event.request;
  const path = PATH.exec(request.uri);
  if (!path) return { statusCode: 404, statusDescription: 'Not Found', headers: { 'cache-control': { value: 'no-store' } } };
  if (path[1] && request.method === 'GET' && PARKABLE.test(header(request, 'user-agent')) && !(await serves(path[1], path[2]))) {
    return park(header(request, 'range'));
  }
  // Still percent-encoded, as query values are.
  if (path[3]) request.querystring.versionId = { value: path[3] };
  cf.selectRequestOriginById(ORIGIN_PREFIX + path[4]);
  request.uri = '/' + path[5];
  return request;
}

async function serves(gateKey, id) {
  let value;
  try {
    value = await kvs.get(gateKey);
  } catch (e) {
    return true;
  }
  const parts = String(value).split(';');
  if (parts.length !== 3 || parts[0] !== '1' || Number(parts[1]) * 1000 <= Date.now()) return true;
  return parts[2].split(',').indexOf(id) !== -1;
}

// A well-formed range that is never the one asked for: one byte, or two when one was asked.
function park(range) {
  const m = /^bytes=(\d+)-(\d*)/.exec(range);
  const first = m ? Number(m[1]) : 0;
  const length = m && m[2] !== '' && Number(m[2]) === first ? 2 : 1;
  return {
    statusCode: 206,
    statusDescription: 'Partial Content',
    headers: {
      'content-range': { value: 'bytes ' + first + '-' + (first + length - 1) + '/*' },
      'content-type': { value: 'application/octet-stream' },
      'cache-control': { value: 'no-store' },
      'x-web-seed': { value: 'parked' },
    },
    body: { encoding: 'text', data: length === 1 ? '0' : '00' },
  };
}

function header(request, name) {
  const h = request.headers[name];
  return h ? h.value : '';
}
