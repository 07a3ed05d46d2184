import { Duration } from 'aws-cdk-lib';
import { testApp } from '../support/cdk';
import { Template } from 'aws-cdk-lib/assertions';
import { S3TorrentStack } from '../../lib/s3-torrent-stack';
import { parseSourceBuckets } from '../../lib/source-buckets';
import { ENV } from '../../lambdas/config/env';

// One synthesized stack for the whole file: bundling the Lambdas is the slow part.
const stack = new S3TorrentStack(testApp(), 'TrackerTest', {
  sources: parseSourceBuckets(['media-bucket']),
  announceInterval: Duration.minutes(20),
});
const template = Template.fromStack(stack);

type Resource = { Properties: Record<string, unknown> };
const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const trackerFunctionId = () => {
  const found = resources('AWS::Lambda::Function').filter(([, r]) => JSON.stringify(r.Properties.Description ?? '').includes('tracker'));
  expect(found).toHaveLength(1);
  return found[0]![0];
};
const statementsOf = (functionId: string) =>
  resources('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(functionId.replace(/[A-F0-9]{8}$/, '')))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);

describe('tracker', () => {
  it('routes GET /announce and GET /scrape to the tracker Lambda, not the endpoint', () => {
    const id = trackerFunctionId();
    const integrations = resources('AWS::ApiGatewayV2::Integration').filter(([, r]) =>
      JSON.stringify(r.Properties.IntegrationUri).includes(id),
    );
    expect(integrations).toHaveLength(1);
    expect(integrations[0]![1].Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    for (const routeKey of ['GET /announce', 'GET /scrape', 'GET /-/private/{token}/announce', 'GET /-/private/{token}/scrape']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrations[0]![0] }]] },
      });
    }
  });

  it('runs on Node.js 22 arm64 with the swarm table and announce settings in its environment', () => {
    const props = template.findResources('AWS::Lambda::Function')[trackerFunctionId()]!.Properties;
    expect(props).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 10,
      Environment: {
        Variables: expect.objectContaining({
          [ENV.SWARM_TABLE]: expect.anything(),
          [ENV.ANNOUNCE_INTERVAL]: '1200',
          [ENV.MIN_ANNOUNCE_INTERVAL]: '300',
          [ENV.TRUST_ANNOUNCE_IP_HINTS]: 'false',
          // Private torrents' announce tokens are checked with the signing key.
          [ENV.SIGNING_SECRET_ARN]: expect.anything(),
        }),
      },
    });
    // The tracker never needs the torrent cache or the metadata bucket.
    expect(Object.keys((props.Environment as { Variables: object }).Variables)).not.toContain(ENV.TORRENT_TABLE);
    expect(Object.keys((props.Environment as { Variables: object }).Variables)).not.toContain(ENV.METADATA_BUCKET);
  });

  it('may use exactly the item actions it needs on the swarm table (and the web-seed gate table), never Scan and nothing in S3', () => {
    const statements = statementsOf(trackerFunctionId());
    const onTable = (name: RegExp) => statements.filter((s) => name.test(JSON.stringify(s.Resource)));
    const actionsOf = (found: typeof statements) => found.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('dynamodb:'));
    // The gate table's grants are asserted with the gate (test/cdk/web-seed-gate.test.ts).
    expect(actionsOf(onTable(/WebSeedGateTable/)).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
    const swarm = statements.filter((s) => !/WebSeedGateTable/.test(JSON.stringify(s.Resource)));
    expect(actionsOf(swarm).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    for (const s of swarm.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))) {
      expect(JSON.stringify(s.Resource)).toMatch(/SwarmTable/);
      expect(JSON.stringify(s.Resource)).not.toMatch(/TorrentTable/);
    }
    expect(JSON.stringify(statements)).not.toMatch(/"s3:/);
  });

  it('keeps its own log group with a retention period', () => {
    const logGroup = (
      template.findResources('AWS::Lambda::Function')[trackerFunctionId()]!.Properties.LoggingConfig as { LogGroup: { Ref: string } }
    ).LogGroup.Ref;
    expect(template.findResources('AWS::Logs::LogGroup')[logGroup]!.Properties).toMatchObject({ RetentionInDays: 30 });
  });

  it('refuses a min interval longer than the interval at synth time', () => {
    expect(
      () =>
        new S3TorrentStack(testApp(), 'Bad', {
          sources: [],
          announceInterval: Duration.minutes(1),
          minAnnounceInterval: Duration.minutes(2),
        }),
    ).toThrow(/min interval/);
  });
});
