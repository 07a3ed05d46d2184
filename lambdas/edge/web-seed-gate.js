import cf from 'cloudfront';

// The viewer-request function of the web-seed distribution (cloudfront-js-2.0); docs/web-seed.md.
// Path: [/_<gate key>.<ticket id>][/-/private][/~<version id>]/<bucket>/<key>
// (lambdas/web-seeds/cloudfront-paths.ts). It sends each request to its bucket's S3 origin
// (ORIGIN_PREFIX + bucket) as /<key>, the version as ?versionId=, and refuses at the edge what the
// service does not serve: objects outside the allowlist, and private objects anywhere but under
// /-/private/, whose behaviour demands a signed URL (CloudFront checks it; the local gateway
// checks it with lambdas/security/cloudfront-signed-urls.ts).
// A ticketed public path is the swarm-aware gate: served unless the torrent's KeyValueStore entry
// ("1;<until>;<id>,<id>...", lambdas/core/gate/gate-value.ts) is live and lacks the ticket; then a
// libtorrent-family client is parked (a 206 for a range it did not ask for, which libtorrent
// retries 30 s later) and any other client is served. No entry, a stale one, a failed read: served.
// The local gateway runs this very file (local/cloudfront-function-shim.ts).

// The source allowlist, written in when the stack renders the function (lambdas/edge/function-source.ts).
var SOURCES = [];

var kvs = cf.kvs();
var ORIGIN_PREFIX = 's3-';
var PATH = /^(?:\/_([0-9a-f]{16})\.([a-z2-7]{8}))?(\/-\/private)?(?:\/~([^/]*))?\/([^/]*)(?:\/(.*))?$/;
var BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
var MAX_KEY_BYTES = 1024;
var PARKABLE = /(^|[\s(])(libtorrent|qBittorrent)\//;

async function handler(event) {
  var request = event.request;
  var route = parsePath(request.uri);
  if (route.refusal) return route.refusal;
  var access = accessFor(route.bucket, route.key);
  if (access === undefined) return refuse(403, 'AccessDenied', 'This service does not serve ' + route.bucket + '/' + route.key + '.');
  if (access === 'private' && !route.isPrivate)
    return refuse(403, 'AccessDenied', route.bucket + '/' + route.key + ' is private: it is served only with a signed URL.');
  if (
    route.gateKey &&
    request.method === 'GET' &&
    PARKABLE.test(header(request, 'user-agent')) &&
    !(await serves(route.gateKey, route.ticket))
  )
    return park(header(request, 'range'));
  // Still percent-encoded, as query values are. CloudFront's signing parameters stay where they
  // are; the cache policy keeps them out of the cache key and the origin request.
  if (route.versionId !== undefined) request.querystring.versionId = { value: route.versionId };
  cf.selectRequestOriginById(ORIGIN_PREFIX + route.bucket);
  request.uri = '/' + route.encodedKey;
  return request;
}

function parsePath(uri) {
  var path = PATH.exec(uri);
  if (!path || (path[1] && path[3])) return refusal(404, 'NoSuchRoute', 'No such path.');
  var bucket = path[5];
  var encodedKey = path[6] || '';
  if (path[4] !== undefined && (path[4] === '' || decode(path[4]) === undefined))
    return refusal(400, 'InvalidArgument', 'The version in the path is malformed.');
  if (bucket === '-') return refusal(404, 'NoSuchRoute', 'No such path.');
  if (!BUCKET_NAME.test(bucket) || bucket.indexOf('..') >= 0) return refusal(400, 'InvalidBucketName', 'Not a valid bucket name.');
  var key = decode(encodedKey);
  if (key === undefined) return refusal(400, 'InvalidKey', 'The key is not valid percent-encoded UTF-8.');
  if (key === '') return refusal(400, 'InvalidKey', 'The object key is missing.');
  if (/[\u0000-\u001f\u007f]/.test(key)) return refusal(400, 'InvalidKey', 'Keys with control characters are not served.');
  var segments = key.split('/');
  for (var i = 0; i < segments.length; i++) {
    if (segments[i] === '.' || segments[i] === '..') return refusal(400, 'InvalidKey', 'Keys with . or .. segments are not served.');
  }
  if (utf8Length(key) > MAX_KEY_BYTES) return refusal(400, 'KeyTooLongError', 'Object keys are at most 1024 bytes.');
  return {
    gateKey: path[1],
    ticket: path[2],
    bucket: bucket,
    key: key,
    encodedKey: encodedKey,
    versionId: path[4],
    isPrivate: path[3] !== undefined,
  };
}

// The longest matching prefix decides, as in the service's own allowlist (lambdas/config/sources.ts);
// bucket "*" (local runs with every bucket allowed) matches any bucket.
function accessFor(bucket, key) {
  var best;
  for (var i = 0; i < SOURCES.length; i++) {
    var entry = SOURCES[i];
    if (
      (entry.bucket === bucket || entry.bucket === '*') &&
      key.indexOf(entry.prefix) === 0 &&
      (best === undefined || entry.prefix.length > best.prefix.length)
    )
      best = entry;
  }
  return best === undefined ? undefined : best.access;
}

async function serves(gateKey, ticket) {
  var value;
  try {
    value = await kvs.get(gateKey);
  } catch (e) {
    return true;
  }
  var parts = String(value).split(';');
  if (parts.length !== 3 || parts[0] !== '1' || Number(parts[1]) * 1000 <= Date.now()) return true;
  return parts[2].split(',').indexOf(ticket) !== -1;
}

// A well-formed range that is never the one asked for: one byte, or two when one was asked.
function park(range) {
  var m = /^bytes=(\d+)-(\d*)/.exec(range);
  var first = m ? Number(m[1]) : 0;
  var length = m && m[2] !== '' && Number(m[2]) === first ? 2 : 1;
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
  var h = request.headers[name];
  return h ? h.value : '';
}

function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch (e) {
    return undefined;
  }
}

function utf8Length(text) {
  return encodeURIComponent(text).replace(/%[0-9A-F]{2}/g, 'x').length;
}

function refusal(status, code, message) {
  return { refusal: refuse(status, code, message) };
}

function refuse(status, code, message) {
  return {
    statusCode: status,
    statusDescription: status === 400 ? 'Bad Request' : status === 404 ? 'Not Found' : 'Forbidden',
    headers: { 'content-type': { value: 'application/json' }, 'cache-control': { value: 'no-store' } },
    body: { encoding: 'text', data: JSON.stringify({ code: code, message: message }) },
  };
}
