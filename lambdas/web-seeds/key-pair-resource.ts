import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { CustomResourceEvent, CustomResourceOutcome } from '../runtime/custom-resource';
import { parsePrivateKey } from '../security/cloudfront-key';

/** The custom resource's properties (strings, as CloudFormation passes them). */
export interface KeyPairProperties {
  /** The secret the private key is written to. */
  readonly SecretArn: string;
  /** Change it to generate a new key pair (rotation); the same value keeps the key. */
  readonly Generation: string;
}

/** Where the private key lives (Secrets Manager on AWS; a map in tests). */
export interface KeyPairSecret {
  read(secretArn: string): Promise<string | undefined>;
  write(secretArn: string, value: string): Promise<void>;
}

export interface KeyPair {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

/** The attribute the stack reads the public key from (for the CloudFront public key resource). */
export const PUBLIC_KEY_ATTRIBUTE = 'PublicKeyPem';

/** RSA 2048: what CloudFront key groups take (besides ECDSA P-256, which the SDK signer does not sign with). */
export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * The web seed's signing key pair: generated on Create (and when Generation changes), the private
 * half written to the secret and never into the template, the public half returned for the
 * CloudFront public key. Any other Update derives the public key from the secret again, so stack
 * updates keep the key that signed the URLs already handed out. Delete leaves the secret to its own
 * removal policy.
 */
export async function applyKeyPair(
  event: CustomResourceEvent<KeyPairProperties>,
  secret: KeyPairSecret,
  generate: () => KeyPair = generateKeyPair,
): Promise<CustomResourceOutcome> {
  if (event.RequestType === 'Delete') return { physicalResourceId: event.PhysicalResourceId ?? `deleted:${event.RequestId}` };
  const { SecretArn: secretArn, Generation: generation } = event.ResourceProperties;
  if (!secretArn) throw new Error('the SecretArn property is missing');
  const old = event.OldResourceProperties;
  const keep = event.RequestType === 'Update' && old?.SecretArn === secretArn && old?.Generation === generation;
  const publicKeyPem = keep ? await existingPublicKey(secretArn, secret) : await writeNewKey(secretArn, secret, generate);
  return { physicalResourceId: `s3-torrent-web-seed-key:${fingerprint(publicKeyPem)}`, data: { [PUBLIC_KEY_ATTRIBUTE]: publicKeyPem } };
}

async function writeNewKey(secretArn: string, secret: KeyPairSecret, generate: () => KeyPair): Promise<string> {
  const pair = generate();
  await secret.write(secretArn, pair.privateKeyPem);
  return pair.publicKeyPem;
}

/**
 * The public half of the key in the secret. A secret that lost its key is an error, not a reason to
 * swap keys silently: every signed URL handed out would stop working.
 */
async function existingPublicKey(secretArn: string, secret: KeyPairSecret): Promise<string> {
  const privateKeyPem = await secret.read(secretArn);
  try {
    if (privateKeyPem === undefined) throw new Error('no value');
    return createPublicKey(parsePrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    throw new Error(
      `the secret ${secretArn} no longer holds the web seed's private key: put it back, or change the key generation (context s3-torrent:webSeedKeyGeneration) to make a new pair`,
    );
  }
}

const fingerprint = (publicKeyPem: string) =>
  createHash('sha256')
    .update(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
