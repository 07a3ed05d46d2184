import { endpointEnvShape, readEnv } from '../../lambdas/config/config';

const base = {
  TORRENT_TABLE_NAME: 't',
  SWARM_TABLE_NAME: 's',
  METADATA_BUCKET_NAME: 'm',
  SOURCE_BUCKETS: 'a,b/c',
  SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:x',
};

describe('readEnv(endpointEnvShape)', () => {
  it('applies defaults and coerces numbers', () => {
    const env = readEnv(endpointEnvShape, base);
    expect(env.INLINE_HASH_LIMIT_BYTES).toBe(256 * 1024 * 1024);
    expect(env.PRESIGNED_URL_TTL_SECONDS).toBe(6 * 3600);
    expect(readEnv(endpointEnvShape, { ...base, INLINE_HASH_LIMIT_BYTES: '1024' }).INLINE_HASH_LIMIT_BYTES).toBe(1024);
  });

  it('accepts an empty source list (serve nothing) but not a missing one', () => {
    expect(readEnv(endpointEnvShape, { ...base, SOURCE_BUCKETS: '' }).SOURCE_BUCKETS).toBe('');
    const { SOURCE_BUCKETS: _omitted, ...withoutSources } = base;
    expect(() => readEnv(endpointEnvShape, withoutSources)).toThrow(/SOURCE_BUCKETS/);
  });

  it.each([
    ['INLINE_HASH_LIMIT_BYTES', '-5'],
    ['INLINE_HASH_LIMIT_BYTES', '1.5'],
    ['PRESIGNED_URL_TTL_SECONDS', String(8 * 24 * 3600)],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['TORRENT_TABLE_NAME', ''],
    ['SIGNING_SECRET_ARN', ''],
    ['PRIVATE_WEBSEED_TTL_SECONDS', '0'],
  ])('refuses %s=%s at cold start', (name, value) => {
    expect(() => readEnv(endpointEnvShape, { ...base, [name]: value })).toThrow(new RegExp(name));
  });
});
