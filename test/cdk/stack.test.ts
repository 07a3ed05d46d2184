import { testApp } from '../support/cdk';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { S3TorrentStack } from '../../lib/s3-torrent-stack';
import { parseSourceBuckets } from '../../lib/source-buckets';
import { ENV } from '../../lambdas/config/env';
import { CACHE_INFO_PREFIX } from '../../lambdas/config/tables';
import { ROUTES, routeKey } from '../../lambdas/http/routes';

// One synthesized stack for the whole file: bundling the Lambdas is the slow part.
const app = testApp();
const stack = new S3TorrentStack(app, 'Test', {
  sources: parseSourceBuckets(['media-bucket', 'docs/public/', 'private:vault']),
  inlineHashLimitBytes: 123456789,
});
const template = Template.fromStack(stack);

describe('storage', () => {
  it.each([
    ['object', 'build'],
    ['infoHash', 'entry'],
  ])('has an encrypted, point-in-time-recoverable table keyed %s/%s with a TTL', (pk, sk) => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: pk, KeyType: 'HASH' },
        { AttributeName: sk, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  it('keeps the metadata bucket private, encrypted and TLS-only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('lets the cache read info objects, and list its bucket so a missing one reads 404 (a miss), not 403', () => {
    const [metadataBucket] = Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) => id.startsWith('StorageMetadataBucket'));
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map(
      (p) => (p as { Properties: { PolicyDocument: { Statement: PolicyStatementJson[] } } }).Properties.PolicyDocument.Statement,
    );
    const onInfoObjects = (s: PolicyStatementJson) => JSON.stringify(s.Resource).includes(`"/${CACHE_INFO_PREFIX}*"`);
    const cacheUsers = policies.filter((statements) =>
      statements.some((s) => [s.Action].flat().includes('s3:GetObject') && onInfoObjects(s)),
    );
    // The endpoint and the workflow's "Assemble torrent" (the S3 events handler too, when configured).
    expect(cacheUsers.length).toBeGreaterThanOrEqual(2);
    for (const statements of cacheUsers) {
      expect(statements).toContainEqual({ Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::GetAtt': [metadataBucket, 'Arn'] } });
    }
  });
});

interface PolicyStatementJson {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

describe('endpoint', () => {
  it('routes the object and web-seed paths to the endpoint Lambda over payload v2', () => {
    for (const routeKey of [
      'GET /{bucket}/{key+}',
      'HEAD /{bucket}/{key+}',
      'GET /-/webseed/{bucket}/{key+}',
      'HEAD /-/webseed/{bucket}/{key+}',
    ]) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('gives every service route its own route key beside the greedy object route, and no catch-all', () => {
    const keys = (Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as { Properties: { RouteKey: string } }[]).map(
      (r) => r.Properties.RouteKey,
    );
    // Each key once: API Gateway then picks the most specific match (docs/routes.md), which these are.
    expect([...keys].sort()).toEqual(ROUTES.map(routeKey).sort());
    for (const key of [
      'GET /-/webseed/{bucket}/{key+}',
      'GET /-/webseed-version/{versionId}/{bucket}/{key+}',
      'GET /-/iam/{bucket}/{key+}',
      'GET /-/jobs/{jobId}',
      'GET /announce',
      'GET /scrape',
    ]) {
      expect(keys.filter((k) => k === key)).toHaveLength(1);
    }
    // No `$default` and no `ANY`: either would change which route a request meets.
    expect(keys.filter((k) => k === '$default' || k.startsWith('ANY '))).toEqual([]);
  });

  it('puts the /-/iam/ routes behind API Gateway IAM authorization, and only those', () => {
    for (const routeKey of ['GET /-/iam/{bucket}/{key+}', 'HEAD /-/iam/{bucket}/{key+}']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey, AuthorizationType: 'AWS_IAM' });
    }
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as {
      Properties: { RouteKey: string; AuthorizationType?: string };
    }[];
    for (const r of routes.filter((r) => !r.Properties.RouteKey.includes('/-/iam/')))
      expect(r.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
  });

  it('generates a link-signing secret the function may read', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.SIGNING_SECRET_ARN]: Match.anyValue() }) },
    });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).toContain('secretsmanager:GetSecretValue');
  });

  it('runs Node.js 22 on arm64 with its configuration in the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 29,
      Environment: {
        Variables: Match.objectLike({
          [ENV.SOURCES]: 'media-bucket,docs/public/,private:vault',
          [ENV.INLINE_HASH_LIMIT]: '123456789',
          [ENV.PRESIGNED_URL_TTL]: '21600',
          [ENV.TORRENT_TABLE]: Match.anyValue(),
          [ENV.SWARM_TABLE]: Match.anyValue(),
          [ENV.METADATA_BUCKET]: Match.anyValue(),
        }),
      },
    });
  });

  it('logs to a log group with a retention period', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('reads exactly the configured buckets and prefixes, and nothing else in S3', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: object[] } } }).Properties.PolicyDocument.Statement,
    );
    const text = JSON.stringify(statements);
    expect(text).toContain('arn:');
    expect(text).toMatch(/s3:::media-bucket\/\*/);
    expect(text).toMatch(/s3:::docs\/public\/\*/);
    expect(text).not.toMatch(/"s3:\*"/);
    // No S3 read action on a wildcard resource.
    for (const s of statements as { Action: string | string[]; Resource: unknown }[]) {
      const actions = [s.Action].flat();
      if (actions.some((a) => a.startsWith('s3:Get'))) expect(s.Resource).not.toBe('*');
    }
  });
});

describe('api', () => {
  it('throttles the default stage and writes JSON access logs with the request id', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
    });
  });

  it('writes the API URL into the function as the public base URL', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.PUBLIC_BASE_URL]: Match.anyValue() }) },
    });
  });

  it('alarms on 5xx answers, function errors and failed hashing jobs', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5xx', Namespace: 'AWS/ApiGateway' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed', Namespace: 'AWS/States' });
  });

  it('gives functions no AWS managed policy, only their own log group', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as { Properties: { ManagedPolicyArns?: unknown } }[];
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('custom domain', () => {
  it('maps the domain to the stage and writes it into torrents', () => {
    const withDomain = Template.fromStack(
      new S3TorrentStack(testApp(), 'Domain', {
        sources: [],
        customDomain: { domainName: 'torrents.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' },
      }),
    );
    withDomain.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'torrents.example.com' });
    withDomain.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    withDomain.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.PUBLIC_BASE_URL]: 'https://torrents.example.com' }) },
    });
  });
});

describe('without source buckets', () => {
  it('synthesizes, warns, and grants no read on any bucket', () => {
    const lonely = new S3TorrentStack(testApp(), 'Lonely', { sources: [] });
    Annotations.fromStack(lonely).hasWarning('*', Match.stringLikeRegexp('No source buckets configured'));
    const text = JSON.stringify(Template.fromStack(lonely).findResources('AWS::IAM::Policy'));
    expect(text).not.toContain('s3:GetObjectVersion');
  });
});
