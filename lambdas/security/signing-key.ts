import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The link-signing key, read once per container from Secrets Manager. The stack generates the
 * secret (64 random alphanumerics); its UTF-8 bytes are the HMAC key.
 */
export async function loadSigningKey(secretArn: string, client = new SecretsManagerClient({})): Promise<Uint8Array> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!out.SecretString || out.SecretString.length < 32) throw new Error('the signing secret is missing or shorter than 32 characters');
  return Buffer.from(out.SecretString, 'utf8');
}
