/**
 * `npm run sign-link -- <object URL> [options]`: mints an expiring signed link to an object of a
 * private source, for its torrent (default) or its bytes.
 *
 * The signing key comes from --key-file (the local service keeps it in <data dir>/signing-key),
 * S3_TORRENT_SIGNING_KEY (hex), or --secret-id (the stack's SigningSecretArn output, read with your
 * AWS credentials from Secrets Manager).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadSigningKey } from '../lambdas/security/signing-key';
import { LinkSigner, MAX_LINK_LIFETIME_SECONDS, signedObjectUrl } from '../lambdas/security/signed-links';

const USAGE = `Usage: npm run sign-link -- <http(s)://service/bucket/key> [options]
  --expires-in SECONDS   lifetime of the link (default 86400, at most ${MAX_LINK_LIFETIME_SECONDS})
  --object               a link to the object's bytes instead of its torrent
  --key-file FILE        hex signing key file (npm start keeps it in .local/signing-key)
  --secret-id ARN        read the key from this Secrets Manager secret (the stack's SigningSecretArn)
Environment: S3_TORRENT_SIGNING_KEY (hex) when neither --key-file nor --secret-id is given.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'expires-in': { type: 'string' },
      object: { type: 'boolean' },
      'key-file': { type: 'string' },
      'secret-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return usage(0);
  const [objectUrl, ...extra] = positionals;
  if (objectUrl === undefined || extra.length > 0) return usage(2);
  let url: URL;
  try {
    url = new URL(objectUrl);
  } catch {
    return fail(`not a URL: ${objectUrl}`);
  }
  const [, bucket, ...keyParts] = url.pathname.split('/');
  const key = keyParts.map(decodeURIComponent).join('/');
  if (!bucket || !key) return fail('the URL must name an object: <service>/<bucket>/<key>');
  const lifetime = Number(values['expires-in'] ?? 86_400);
  if (!Number.isSafeInteger(lifetime) || lifetime <= 0 || lifetime > MAX_LINK_LIFETIME_SECONDS) {
    return fail(`--expires-in must be a whole number of seconds from 1 to ${MAX_LINK_LIFETIME_SECONDS}`);
  }

  let key32: Uint8Array;
  if (values['secret-id']) key32 = await loadSigningKey(values['secret-id']);
  else if (values['key-file']) key32 = Buffer.from(readFileSync(values['key-file'], 'utf8').trim(), 'hex');
  else if (process.env.S3_TORRENT_SIGNING_KEY) key32 = Buffer.from(process.env.S3_TORRENT_SIGNING_KEY, 'hex');
  else return fail('no signing key: give --key-file, --secret-id or S3_TORRENT_SIGNING_KEY');

  const base = `${url.origin}${url.pathname.slice(0, url.pathname.indexOf(`/${bucket}/`))}`;
  const expires = Math.floor(Date.now() / 1000) + lifetime;
  console.log(signedObjectUrl(new LinkSigner(key32), base, { bucket, key, purpose: values.object ? 'object' : 'torrent' }, expires));
  return 0;
}

function usage(code: number): number {
  (code === 0 ? console.log : console.error)(USAGE);
  return code;
}

function fail(message: string): number {
  console.error(`sign-link: ${message}`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`sign-link: ${(err as Error).message}`);
    process.exit(1);
  },
);
