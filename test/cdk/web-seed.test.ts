import { generateKeyPairSync } from 'node:crypto';
import { testApp } from '../support/cdk';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambdas/config/env';
import { S3TorrentStack, type S3TorrentStackProps } from '../../lib/s3-torrent-stack';
import { parseSourceBuckets } from '../../lib/source-buckets';
import { viewerRequestRunner } from '../support/cloudfront-function';

// Bundling is skipped (no Lambda code is read here), so each stack synthesizes in a second or two.
function synth(props: Partial<S3TorrentStackProps> = {}): Template {
  const app = testApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new S3TorrentStack(app, 'WebSeedTest', {
    sources: parseSourceBuckets([
      'media-bucket',
      'docs/public/',
      'private:vault@arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'private:media-bucket/secret/',
    ]),
    env: { account: '123456789012', region: 'eu-west-1' },
    ...props,
  });
  return Template.fromStack(stack);
}

type Resource = { Properties: Record<string, unknown> };
const only = (template: Template, type: string): [string, Resource] => {
  const found = Object.entries(template.findResources(type)) as [string, Resource][];
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
};
const endpointVariables = (template: Template): Record<string, unknown> => {
  const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
  const endpoint = fns.find((f) => JSON.stringify(f.Properties).includes(ENV.INLINE_HASH_LIMIT)) as Resource;
  return (endpoint.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
};

/** Resolves the Fn::Join / Ref / Fn::GetAtt of an output with fixed stand-in values. */
function resolve(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(sep);
  }
  if ('Ref' in v)
    return ({ 'AWS::Partition': 'aws', 'AWS::AccountId': '123456789012' } as Record<string, string>)[v.Ref as string] ?? `<${v.Ref}>`;
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

describe('web seeds on CloudFront (the default)', () => {
  const template = synth();
  const [distributionId, distribution] = only(template, 'AWS::CloudFront::Distribution');
  const config = distribution.Properties.DistributionConfig as {
    Origins: { Id: string; DomainName: string; OriginAccessControlId: unknown; S3OriginConfig: unknown }[];
    DefaultCacheBehavior: Record<string, unknown>;
    CacheBehaviors: (Record<string, unknown> & { PathPattern: string })[];
  };
  const [oacId] = only(template, 'AWS::CloudFront::OriginAccessControl');
  const [keyGroupId, keyGroup] = only(template, 'AWS::CloudFront::KeyGroup');
  const [publicKeyId, publicKey] = only(template, 'AWS::CloudFront::PublicKey');
  const [functionId, edgeFunction] = only(template, 'AWS::CloudFront::Function');

  it('puts every source bucket behind the distribution as an origin with Origin Access Control, id = s3-<bucket>', () => {
    expect(config.Origins.map((o) => o.Id)).toEqual(['s3-media-bucket', 's3-docs', 's3-vault']);
    for (const origin of config.Origins) {
      // The stack's region, or the region of the bucket's KMS key.
      const region = origin.Id === 's3-vault' ? 'us-west-2' : 'eu-west-1';
      expect(origin.DomainName).toBe(`${origin.Id.slice('s3-'.length)}.s3.${region}.amazonaws.com`);
      expect(origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
      expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    }
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
  });

  it('runs the viewer-request function (cloudfront-js-2.0) on every behaviour, GET and HEAD only, HTTPS', () => {
    const behaviours = [config.DefaultCacheBehavior, ...config.CacheBehaviors];
    expect(behaviours).toHaveLength(1 + 1 + 3);
    for (const b of behaviours) {
      expect(b.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }]);
      expect(b.AllowedMethods).toEqual(['GET', 'HEAD']);
      expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(b.Compress).toBe(false);
    }
    expect((edgeFunction.Properties.FunctionConfig as { Runtime: string }).Runtime).toBe('cloudfront-js-2.0');
  });

  it('writes the allowlist into the function it deploys', async () => {
    const run = viewerRequestRunner(edgeFunction.Properties.FunctionCode as string);
    expect(await run('/media-bucket/a.bin')).toMatchObject({ origin: 's3-media-bucket', forwarded: { uri: '/a.bin' } });
    expect(await run('/media-bucket/secret/a.bin')).toMatchObject({ response: { statusCode: 403 } });
    expect(await run('/-/private/media-bucket/secret/a.bin')).toMatchObject({ origin: 's3-media-bucket' });
    expect(await run('/docs/private/a.bin')).toMatchObject({ response: { statusCode: 403 } });
    expect(await run('/unlisted/a.bin')).toMatchObject({ response: { statusCode: 403 } });
  });

  it('demands URLs signed with the key group on /-/private/*, and only there', () => {
    const signed = [config.DefaultCacheBehavior, ...config.CacheBehaviors].filter((b) => b.TrustedKeyGroups !== undefined);
    expect(signed.map((b) => b.PathPattern)).toEqual(['/-/private/*']);
    expect(signed[0]?.TrustedKeyGroups).toEqual([{ Ref: keyGroupId }]);
    expect((keyGroup.Properties.KeyGroupConfig as { Items: unknown[] }).Items).toEqual([{ Ref: publicKeyId }]);
  });

  it('generates the key pair in a custom resource: the public key from its answer, the private key only in Secrets Manager', () => {
    const [pairId, pair] = only(template, 'Custom::WebSeedKeyPair');
    const [secretId] = Object.entries(template.findResources('AWS::SecretsManager::Secret')).find(([id]) =>
      id.startsWith('WebSeedKey'),
    ) as [string, unknown];
    expect(pair.Properties).toMatchObject({ SecretArn: { Ref: secretId }, Generation: '1' });
    expect((publicKey.Properties.PublicKeyConfig as { EncodedKey: unknown }).EncodedKey).toEqual({
      'Fn::GetAtt': [pairId, 'PublicKeyPem'],
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('secretsmanager:PutSecretValue');
    expect(JSON.stringify(template.toJSON())).not.toMatch(/PRIVATE KEY/);
  });

  it('names the distribution in the endpoint’s environment, with the key that signs private web seeds', () => {
    expect(endpointVariables(template)).toMatchObject({
      [ENV.WEB_SEED_MODE]: 'cloudfront',
      [ENV.WEB_SEED_BASE_URL]: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] },
      [ENV.CLOUDFRONT_KEY_PAIR_ID]: { Ref: publicKeyId },
      [ENV.CLOUDFRONT_KEY_SECRET_ARN]: { Ref: expect.stringMatching(/^WebSeedKeySecret/) },
    });
    template.hasOutput('WebSeedUrl', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] } });
  });

  it('caches object bytes by path and versionId only, uncompressed, for a day unless S3 says otherwise', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        DefaultTTL: 86400,
        MinTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: {
          QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['versionId'] },
          HeadersConfig: { HeaderBehavior: 'none' },
          CookiesConfig: { CookieBehavior: 'none' },
          EnableAcceptEncodingGzip: false,
          EnableAcceptEncodingBrotli: false,
        },
      },
    });
  });

  it('outputs, per source bucket, the policy statement that lets this distribution read its configured prefixes', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const statements = (id: string) => (JSON.parse(resolve(outputs[id]?.Value)) as { Statement: Record<string, unknown>[] }).Statement;
    const sourceArn = `arn:aws:cloudfront::123456789012:distribution/<${distributionId}>`;
    expect(statements('WebSeedBucketPolicyMediaBucket')).toEqual([
      {
        Sid: 'S3TorrentWebSeedRead',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: ['arn:aws:s3:::media-bucket/*', 'arn:aws:s3:::media-bucket/secret/*'],
        Condition: { StringEquals: { 'AWS:SourceArn': sourceArn } },
      },
    ]);
    expect(statements('WebSeedBucketPolicyDocs')[0]?.Resource).toBe('arn:aws:s3:::docs/public/*');
    expect(statements('WebSeedBucketPolicyVault')[0]?.Resource).toBe('arn:aws:s3:::vault/*');
    expect(Object.keys(outputs).filter((k) => k.startsWith('WebSeedBucketPolicy'))).toHaveLength(3);
    // The KMS-encrypted source: CloudFront may decrypt through the key's policy too.
    expect(statements('WebSeedKeyPolicy0')).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'AWS:SourceArn': sourceArn } },
      }),
    ]);
  });
});

describe('other web-seed configurations', () => {
  it('presigned mode: no distribution, and the endpoint redirects to presigned S3 URLs', () => {
    const template = synth({ webSeedMode: 'presigned' });
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('AWS::CloudFront::KeyGroup', 0);
    expect(endpointVariables(template)).toMatchObject({ [ENV.WEB_SEED_MODE]: 'presigned' });
    expect(endpointVariables(template)[ENV.WEB_SEED_BASE_URL]).toBeUndefined();
  });

  it('no sources: nothing to put behind CloudFront', () => {
    const template = synth({ sources: [] });
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    expect(endpointVariables(template)).toMatchObject({ [ENV.WEB_SEED_MODE]: 'presigned' });
  });

  it('an imported key pair: no generator, the given public key and secret', () => {
    const { publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:web-seed-key-AbCdEf';
    const template = synth({ webSeedKey: { secretArn, publicKeyPem: publicKey }, privateWebSeedTtl: undefined });
    template.resourceCountIs('Custom::WebSeedKeyPair', 0);
    template.hasResourceProperties('AWS::CloudFront::PublicKey', { PublicKeyConfig: Match.objectLike({ EncodedKey: publicKey }) });
    expect(endpointVariables(template)).toMatchObject({ [ENV.CLOUDFRONT_KEY_SECRET_ARN]: secretArn });
  });

  it('a new key generation is a new CloudFront public key', () => {
    const ids = (t: Template) => Object.keys(t.findResources('AWS::CloudFront::PublicKey'));
    expect(ids(synth({ webSeedKeyGeneration: '2' }))).not.toEqual(ids(synth()));
  });
});
