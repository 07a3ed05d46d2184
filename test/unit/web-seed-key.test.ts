import { createPublicKey } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { cloudFrontSigningKeyReader } from '../../lambdas/security/cloudfront-key';
import { customResourceHandler, type CustomResourceEvent, type CustomResourceResponse } from '../../lambdas/runtime/custom-resource';
import { applyKeyPair, generateKeyPair, type KeyPairProperties, type KeyPairSecret } from '../../lambdas/web-seeds/key-pair-resource';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:web-seed-key-AbCdEf';

function memorySecret(initial?: string): KeyPairSecret & { value?: string; writes: number } {
  const store: KeyPairSecret & { value?: string; writes: number } = {
    value: initial,
    writes: 0,
    read: async () => store.value,
    write: async (_arn, value) => {
      store.value = value;
      store.writes++;
    },
  };
  return store;
}

const event = (
  RequestType: CustomResourceEvent['RequestType'],
  props: Partial<KeyPairProperties> = {},
  old?: Partial<KeyPairProperties>,
  PhysicalResourceId?: string,
): CustomResourceEvent<KeyPairProperties> => ({
  RequestType,
  ResponseURL: 'https://cloudformation-response.example/abc',
  StackId: 'stack',
  RequestId: 'req-1',
  LogicalResourceId: 'KeyPair',
  PhysicalResourceId,
  ResourceProperties: { SecretArn: SECRET, Generation: '1', ...props },
  ...(old ? { OldResourceProperties: { SecretArn: SECRET, Generation: '1', ...old } } : {}),
});

const publicOf = (privatePem: string) => createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();

describe('the web-seed key-pair custom resource', () => {
  it('Create writes a new RSA private key to the secret and answers its public key', async () => {
    const secret = memorySecret('random-placeholder-from-cloudformation');
    const out = await applyKeyPair(event('Create'), secret);
    expect(secret.writes).toBe(1);
    expect(secret.value).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(out.data?.PublicKeyPem).toBe(publicOf(secret.value as string));
    expect(out.physicalResourceId).toMatch(/^s3-torrent-web-seed-key:[0-9a-f]{16}$/);
  });

  it('an Update with the same generation keeps the key (URLs already handed out keep working)', async () => {
    const secret = memorySecret();
    const created = await applyKeyPair(event('Create'), secret);
    const updated = await applyKeyPair(event('Update', {}, {}, created.physicalResourceId), secret);
    expect(secret.writes).toBe(1);
    expect(updated).toEqual(created);
  });

  it('a new generation makes a new pair', async () => {
    const secret = memorySecret();
    const created = await applyKeyPair(event('Create'), secret);
    const rotated = await applyKeyPair(event('Update', { Generation: '2' }, {}, created.physicalResourceId), secret);
    expect(secret.writes).toBe(2);
    expect(rotated.data?.PublicKeyPem).not.toBe(created.data?.PublicKeyPem);
    expect(rotated.physicalResourceId).not.toBe(created.physicalResourceId);
  });

  it('refuses to swap keys silently when the secret lost its key', async () => {
    const secret = memorySecret('not a key');
    await expect(applyKeyPair(event('Update', {}, {}), secret)).rejects.toThrow(/no longer holds the web seed's private key/);
    expect(secret.writes).toBe(0);
  });

  it('Delete leaves the secret alone', async () => {
    const secret = memorySecret('kept');
    expect(await applyKeyPair(event('Delete', {}, undefined, 'phys'), secret)).toEqual({ physicalResourceId: 'phys' });
    expect(secret.value).toBe('kept');
  });

  it('answers CloudFormation on success and on failure', async () => {
    const answers: CustomResourceResponse[] = [];
    const respond = async (_url: string, response: CustomResourceResponse) => {
      answers.push(response);
    };
    const logger = new Logger({ logLevel: 'SILENT' });
    const ok = customResourceHandler<KeyPairProperties>((e) => applyKeyPair(e, memorySecret()), { logger, respond });
    await ok(event('Create'));
    const failing = customResourceHandler<KeyPairProperties>((e) => applyKeyPair(e, memorySecret('x')), { logger, respond });
    await failing(event('Update', {}, {}, 'phys'));
    expect(answers[0]).toMatchObject({
      Status: 'SUCCESS',
      RequestId: 'req-1',
      LogicalResourceId: 'KeyPair',
      Data: { PublicKeyPem: expect.any(String) },
    });
    expect(answers[1]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'phys', Reason: expect.stringContaining('no longer holds') });
  });
});

describe('reading the signing key', () => {
  function fakeSecretsManager(values: (string | Error)[]) {
    let calls = 0;
    const client = {
      send: async () => {
        const next = values[Math.min(calls++, values.length - 1)] as string | Error;
        if (next instanceof Error) throw next;
        return { SecretString: next };
      },
    } as unknown as SecretsManagerClient;
    return { client, calls: () => calls };
  }

  it('keeps the key for the TTL, reads it again after, and keeps it when a refresh fails', async () => {
    const [first, second] = [generateKeyPair().privateKeyPem, generateKeyPair().privateKeyPem];
    let now = 0;
    const sm = fakeSecretsManager([first, second, new Error('throttled')]);
    const read = cloudFrontSigningKeyReader(SECRET, 'KID', { client: sm.client, ttlMs: 1000, now: () => now });
    expect((await Promise.all([read(), read()])).map((k) => k.privateKeyPem)).toEqual([first, first]);
    expect(sm.calls()).toBe(1);
    now = 1000;
    expect((await read()).privateKeyPem).toBe(second);
    now = 2000;
    expect((await read()).privateKeyPem).toBe(second);
    expect(sm.calls()).toBe(3);
  });

  it('insists on a PEM RSA private key, without echoing the secret', async () => {
    const pair = generateKeyPair();
    const good = cloudFrontSigningKeyReader(SECRET, 'KID', { client: fakeSecretsManager([pair.privateKeyPem]).client });
    expect(await good()).toEqual({ keyPairId: 'KID', privateKeyPem: pair.privateKeyPem });
    const bad = cloudFrontSigningKeyReader(SECRET, 'KID', { client: fakeSecretsManager(['hunter2-not-a-key']).client });
    await expect(bad()).rejects.toThrow(/does not hold a PEM private key/);
    await expect(bad()).rejects.not.toThrow(/hunter2/);
  });
});
