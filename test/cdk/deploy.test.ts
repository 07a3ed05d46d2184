import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { S3TorrentStack, type S3TorrentStackProps } from '../../lib/s3-torrent-stack';
import { parseSourceBuckets } from '../../lib/source-buckets';
import { testApp } from '../support/cdk';

// What a first `cdk deploy` needs beyond the basics: dual-stack, DNS, log group names, reserved
// concurrency, KMS, cross-account bucket policies and EventBridge delivery. No bundling (the
// template is what is checked; bundling is test/cdk/bundle-size's).
const app = () => testApp({ context: { 'aws:cdk:bundling-stacks': [] } });
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const stack = new S3TorrentStack(app(), 'Deploy', {
  sources: parseSourceBuckets(['media-bucket', `private:vault/secret/@${KEY_ARN}`, 'docs/public/']),
  eventSources: parseSourceBuckets(['media-bucket/uploads/', 'docs/public/']),
  enableEventBridgeOn: ['media-bucket'],
  customDomain: {
    domainName: 'torrents.example.com',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    hostedZone: { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' },
  },
  reservedConcurrency: { endpoint: 50, tracker: 20 },
});
const template = Template.fromStack(stack);

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };
type Resource = { Properties: Record<string, unknown> };
const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const functionId = (descriptionPart: string) => {
  const found = resources('AWS::Lambda::Function').filter(([, r]) => String(r.Properties.Description).includes(descriptionPart));
  expect(found).toHaveLength(1);
  return found[0]![0];
};
/** The statements of the policies attached to a function's role. */
const statementsOf = (fnId: string): Statement[] => {
  const role = (template.findResources('AWS::Lambda::Function')[fnId]!.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return resources('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
};
const actions = (s: Statement) => [s.Action].flat();

describe('IPv6', () => {
  it('serves the HTTP API and the custom domain dual-stack', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', IpAddressType: 'dualstack' });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'torrents.example.com',
      DomainNameConfigurations: [Match.objectLike({ EndpointType: 'REGIONAL', IpAddressType: 'dualstack', SecurityPolicy: 'TLS_1_2' })],
    });
  });
});

describe('custom domain DNS', () => {
  it('outputs the DNS target and its hosted zone id', () => {
    const domainId = resources('AWS::ApiGatewayV2::DomainName')[0]![0];
    template.hasOutput('DomainTarget', { Value: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] } });
    template.hasOutput('DomainHostedZoneId', { Value: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] } });
  });

  it.each(['A', 'AAAA'])('writes an alias %s record into the hosted zone', (type) => {
    const domainId = resources('AWS::ApiGatewayV2::DomainName')[0]![0];
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: type,
      Name: 'torrents.example.com.',
      HostedZoneId: 'Z0123456789ABC',
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
      },
    });
  });

  it('writes no record without a hosted zone', () => {
    const bare = new S3TorrentStack(app(), 'NoZone', {
      sources: [],
      customDomain: { domainName: 'torrents.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' },
    });
    const t = Template.fromStack(bare);
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
    t.hasOutput('DomainTarget', {});
  });
});

describe('log groups', () => {
  it('puts the state machine logs and the API access logs under /aws/vendedlogs/', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/Deploy-hashing-workflow' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/apigateway/Deploy-access-logs' });
    const [stateMachine] = resources('AWS::StepFunctions::StateMachine');
    const destination = JSON.stringify(stateMachine![1].Properties.LoggingConfiguration);
    const group = resources('AWS::Logs::LogGroup').find(([, g]) => String(g.Properties.LogGroupName).includes('/states/'))![0];
    expect(destination).toContain(group);
  });
});

describe('reserved concurrency', () => {
  it('reserves what was asked for the endpoint and the tracker, one for the gate publisher, and nothing for the others', () => {
    expect(template.findResources('AWS::Lambda::Function')[functionId('?torrent for S3 objects')]!.Properties).toMatchObject({
      ReservedConcurrentExecutions: 50,
    });
    expect(template.findResources('AWS::Lambda::Function')[functionId('BitTorrent tracker')]!.Properties).toMatchObject({
      ReservedConcurrentExecutions: 20,
    });
    // The web-seed gate's publisher runs one at a time whatever was asked: parallel writers would
    // only race for the KeyValueStore's ETag (docs/web-seed.md).
    expect(template.findResources('AWS::Lambda::Function')[functionId('web-seed gates')]!.Properties).toMatchObject({
      ReservedConcurrentExecutions: 1,
    });
    const reserved = resources('AWS::Lambda::Function').filter(([, f]) => f.Properties.ReservedConcurrentExecutions !== undefined);
    expect(reserved).toHaveLength(3);
  });
});

describe('KMS-encrypted sources', () => {
  const decrypts = (fnId: string) => statementsOf(fnId).filter((s) => actions(s).some((a) => a.startsWith('kms:')));

  it.each(['?torrent for S3 objects', 'Hash chunk', 'Assemble torrent', 'Plan chunks', 'pre-build torrents'])(
    'lets the %s function decrypt with exactly that key, through S3, for those objects',
    (fn) => {
      expect(decrypts(functionId(fn))).toEqual([
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: KEY_ARN,
          Condition: {
            StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
            StringLike: {
              'kms:EncryptionContext:aws:s3:arn': [
                { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::vault/secret/*']] },
                { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::vault']] },
              ],
            },
          },
        },
      ]);
    },
  );

  it('gives no KMS permission to functions that read no sources', () => {
    expect(decrypts(functionId('BitTorrent tracker'))).toEqual([]);
    expect(decrypts(functionId('Record failure'))).toEqual([]);
  });
});

describe('cross-account sources', () => {
  const policyOutput = (name: string) => {
    const value = template.findOutputs(name)[name]?.Value as { 'Fn::Join': [string, unknown[]] } | undefined;
    expect(value).toBeDefined();
    // A JSON document CloudFormation completes: the partition is written `aws` here, role ARNs `role:<id>`.
    const text = value!['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : marker(part))).join('');
    return JSON.parse(text) as { Statement: { Sid: string; Principal: { AWS: string[] }; Action: unknown; Resource: unknown }[] };
  };

  const marker = (token: unknown): string => {
    const t = token as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    if (t.Ref === 'AWS::Partition') return 'aws';
    if (t['Fn::GetAtt']?.[1] === 'Arn') return `role:${t['Fn::GetAtt'][0]}`;
    throw new Error(`unexpected token ${JSON.stringify(token)}`);
  };

  it('outputs, per source bucket, the bucket-policy statements that let every reading role in', () => {
    const vault = policyOutput('SourceBucketPolicyVault');
    expect(vault.Statement.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ['S3TorrentReadObjects', ['s3:GetObject', 's3:GetObjectVersion'], ['arn:aws:s3:::vault/secret/*']],
      ['S3TorrentListBucket', 's3:ListBucket', ['arn:aws:s3:::vault']],
    ]);
    // Exactly the roles granted source reads: endpoint, events, and three workflow functions.
    const readers = resources('AWS::Lambda::Function')
      .filter(([id]) => statementsOf(id).some((s) => actions(s).includes('s3:GetObjectVersion')))
      .map(([, f]) => marker(f.Properties.Role));
    expect(readers).toHaveLength(5);
    expect([...vault.Statement[0]!.Principal.AWS].sort()).toEqual(readers.sort());
    expect(policyOutput('SourceBucketPolicyMediaBucket').Statement[0]!.Resource).toEqual(['arn:aws:s3:::media-bucket/*']);
    expect(policyOutput('SourceBucketPolicyDocs').Statement[0]!.Resource).toEqual(['arn:aws:s3:::docs/public/*']);
  });
});

describe('EventBridge delivery', () => {
  it('switches it on with one custom resource per opted-in bucket', () => {
    const switches = resources('Custom::S3EventBridgeDelivery');
    expect(switches.map(([, r]) => r.Properties.BucketName)).toEqual(['media-bucket']);
    const fnId = functionId('switch on S3 EventBridge delivery');
    expect(switches[0]![1].Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
  });

  it('lets its function read and write the notification configuration of exactly those buckets', () => {
    const s3 = statementsOf(functionId('switch on S3 EventBridge delivery')).filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetBucketNotification', 's3:PutBucketNotification'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::media-bucket']] },
      },
    ]);
  });

  it('names the buckets still to switch on by hand', () => {
    template.hasOutput('EventBuckets', { Value: 'media-bucket,docs', Description: Match.stringLikeRegexp('for docs \\(or set') });
  });

  it('switches nothing on unless asked', () => {
    const t = Template.fromStack(
      new S3TorrentStack(app(), 'NoSwitch', { sources: parseSourceBuckets(['media']), eventSources: parseSourceBuckets(['media']) }),
    );
    t.resourceCountIs('Custom::S3EventBridgeDelivery', 0);
  });
});

describe('configuration the Lambdas would refuse', () => {
  const synth = (props: Partial<S3TorrentStackProps>) => () =>
    Template.fromStack(new S3TorrentStack(app(), 'Bad', { sources: parseSourceBuckets(['media']), ...props }));

  it.each([
    ['a presign lifetime of 8 days', { presignedUrlTtl: Duration.days(8) }, /PRESIGNED_URL_TTL_SECONDS: must be at most 604800/],
    ['a hash concurrency of 20,000', { hashConcurrency: 20_000 }, /HASH_MAX_CONCURRENCY: must be at most 10000/],
    ['an inline limit of 0', { inlineHashLimitBytes: 0 }, /INLINE_HASH_LIMIT_BYTES: must be positive/],
  ])('fails synth for %s', (_, props, message) => {
    expect(synth(props)).toThrow(message);
  });
});
