import cf from 'cloudfront';

// The viewer-request function of the web-seed distribution (cloudfront-js-2.0). Path:
// [/-/private][/~<version id>]/<bucket>/<key> (lambdas/web-seeds/cloudfront-paths.ts). It sends
// each request to its bucket's S3 origin (ORIGIN_PREFIX + bucket) as /<key>, the version as
// ?versionId=, and refuses at the edge what the service does not serve: objects outside the
// allowlist, and private objects anywhere but under /-/private/, whose behaviour demands a signed
// URL (CloudFront checks it; the local gateway checks it with lambdas/security/cloudfront-signed-urls.ts).

// The source allowlist, written in when the stack renders the function (lambdas/edge/function-source.ts).
var SOURCES = [];

var ORIGIN_PREFIX = 's3-';
var PATH = /^(\/-\/private)?(?:\/~([^/]*))?\/([^/]*)(?:\/(.*))?$/;
var BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
var MAX_KEY_BYTES = 1024;

function handler(event) {
  var request = event.request;
  var route = parsePath(request.uri);
  if (route.refusal) return route.refusal;
  var access = accessFor(route.bucket, route.key);
  if (access === undefined) return refuse(403, 'AccessDenied', 'This service does not serve ' + route.bucket + '/' + route.key + '.');
  if (access === 'private' && !route.isPrivate)
    return refuse(403, 'AccessDenied', route.bucket + '/' + route.key + ' is private: it is served only with a signed URL.');
  // Still percent-encoded, as query values are. CloudFront's signing parameters stay where they
  // are; the cache policy keeps them out of the cache key and the origin request.
  if (route.versionId !== undefined) request.querystring.versionId = { value: route.versionId };
  cf.selectRequestOriginById(ORIGIN_PREFIX + route.bucket);
  request.uri = '/' + route.encodedKey;
  return request;
}

function parsePath(uri) {
  var path = PATH.exec(uri);
  if (!path) return refusal(404, 'NoSuchRoute', 'No such path.');
  var bucket = path[3];
  var encodedKey = path[4] || '';
  if (path[2] !== undefined && (path[2] === '' || decode(path[2]) === undefined))
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
  return { bucket: bucket, key: key, encodedKey: encodedKey, versionId: path[2], isPrivate: path[1] !== undefined };
}

// The longest matching prefix decides, as in the service's own allowlist (lambdas/config/sources.ts).
function accessFor(bucket, key) {
  var best;
  for (var i = 0; i < SOURCES.length; i++) {
    var entry = SOURCES[i];
    if (entry.bucket === bucket && key.indexOf(entry.prefix) === 0 && (best === undefined || entry.prefix.length > best.prefix.length))
      best = entry;
  }
  return best === undefined ? undefined : best.access;
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
