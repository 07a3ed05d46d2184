import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The link-signing key from Secrets Manager. The stack generates the secret (64 random
 * alphanumerics); its UTF-8 bytes are the HMAC key.
 */
export async function loadSigningKey(secretArn: string, client = new SecretsManagerClient({})): Promise<Uint8Array> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!out.SecretString || out.SecretString.length < 32) throw new Error('the signing secret is missing or shorter than 32 characters');
  return Buffer.from(out.SecretString, 'utf8');
}

/** How long a warm container keeps using a key before reading it again (so a rotation reaches it). */
export const SIGNING_KEY_TTL_MS = 5 * 60 * 1000;

/**
 * A signing key of one container (the link-signing key; the CloudFront key too): read on first use, read again once it is older than the TTL
 * (so a rotated key reaches warm containers within minutes), and never poisoned by a failure: a
 * failed read is not kept, the next call tries again, and while a refresh fails the key already
 * held is served. Concurrent callers share one read.
 */
export class SigningKeyCache<T = Uint8Array> {
  private key?: { value: T; readAt: number };
  private reading?: Promise<T>;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly options: { ttlMs?: number; now?: () => number; onRefreshFailed?: (err: unknown) => void } = {},
  ) {}

  async get(): Promise<T> {
    const now = (this.options.now ?? Date.now)();
    if (this.key && now - this.key.readAt < (this.options.ttlMs ?? SIGNING_KEY_TTL_MS)) return this.key.value;
    try {
      return await this.read(now);
    } catch (err) {
      if (this.key === undefined) throw err;
      this.options.onRefreshFailed?.(err);
      return this.key.value;
    }
  }

  private read(now: number): Promise<T> {
    this.reading ??= this.load()
      .then((value) => {
        this.key = { value, readAt: now };
        return value;
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}

/**
 * A handler that needs the signing key: built for the current key (and built again when a
 * rotation changes it); while no key can be read, `unavailable` answers instead, so one failed
 * read costs one request an error, not the container its life.
 */
export function withSigningKey<E, C, R>(
  keys: SigningKeyCache,
  build: (key: Uint8Array) => (event: E, context?: C) => Promise<R>,
  unavailable: (event: E, err: unknown) => R,
): (event: E, context?: C) => Promise<R> {
  let built: { key: Uint8Array; handler: (event: E, context?: C) => Promise<R> } | undefined;
  return async (event, context) => {
    let key: Uint8Array;
    try {
      key = await keys.get();
    } catch (err) {
      return unavailable(event, err);
    }
    if (built === undefined || !Buffer.from(built.key).equals(Buffer.from(key))) built = { key, handler: build(key) };
    return built.handler(event, context);
  };
}
