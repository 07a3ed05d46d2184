import { Template } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambdas/config/env';
import { GATE_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { S3TorrentStack, type S3TorrentStackProps } from '../../lib/s3-torrent-stack';
import { parseSourceBuckets } from '../../lib/source-buckets';
import { testApp } from '../support/cdk';
import { viewerRequestRunner } from '../support/cloudfront-function';

// Bundling is skipped (no Lambda code is read here), so each stack synthesizes in a second or two.
function synth(props: Partial<S3TorrentStackProps> = {}): Template {
  const app = testApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new S3TorrentStack(app, 'GateTest', {
    sources: parseSourceBuckets(['media-bucket', 'private:vault']),
    env: { account: '123456789012', region: 'eu-west-1' },
    ...props,
  });
  return Template.fromStack(stack);
}

type Resource = { Properties: Record<string, unknown> };
const resources = (template: Template, type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const only = (template: Template, type: string): [string, Resource] => {
  const found = resources(template, type);
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
};
const functionWith = (template: Template, text: string): [string, Resource] => {
  const found = resources(template, 'AWS::Lambda::Function').filter(([, f]) => JSON.stringify(f.Properties).includes(text));
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
};
const variables = (fn: Resource) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
const statementsOf = (template: Template, functionId: string) =>
  resources(template, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(functionId.replace(/[A-F0-9]{8}$/, '')))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);

describe('the swarm-aware web seed (default: on, feeds 1, seeders 1)', () => {
  const template = synth({ webSeedGate: { feeds: 2 } });
  const [kvsId] = only(template, 'AWS::CloudFront::KeyValueStore');
  const [, edgeFunction] = only(template, 'AWS::CloudFront::Function');
  const gateTables = resources(template, 'AWS::DynamoDB::GlobalTable').filter(([id]) => id.startsWith('WebSeedGateTable'));
  expect(gateTables).toHaveLength(1);
  const [tableId, table] = gateTables[0] as [string, Resource];
  const [publisherId, publisher] = functionWith(template, ENV.GATE_KVS_ARN);

  it('associates the KeyValueStore with the viewer-request function, which carries the gate', async () => {
    expect(edgeFunction.Properties.FunctionConfig).toMatchObject({
      Runtime: 'cloudfront-js-2.0',
      KeyValueStoreAssociations: [{ KeyValueStoreARN: { 'Fn::GetAtt': [kvsId, 'Arn'] } }],
    });
    // The deployed source parks a libtorrent whose ticket a live gate lacks (the KVS read through the shim).
    const gateKey = '0123456789abcdef';
    const run = viewerRequestRunner(edgeFunction.Properties.FunctionCode as string, new Map([[gateKey, `1;${2_000_000_000};bbbbbbbb`]]));
    const parked = await run(`/_${gateKey}.aaaaaaaa/media-bucket/a.bin`, {}, { 'user-agent': 'libtorrent/2.0.8.0', range: 'bytes=0-99' });
    expect(parked).toMatchObject({ response: { statusCode: 206 } });
    expect(await run(`/_${gateKey}.bbbbbbbb/media-bucket/a.bin`, {}, { 'user-agent': 'libtorrent/2.0.8.0' })).toMatchObject({
      origin: 's3-media-bucket',
    });
  });

  it('keeps gates in a table whose stream (new and old images) feeds the publisher', () => {
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: GATE_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: GATE_TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: GATE_TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      BillingMode: 'PAY_PER_REQUEST',
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: publisherId },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'LATEST',
      BisectBatchOnFunctionError: true,
      MaximumBatchingWindowInSeconds: 1,
    });
  });

  it('lets one publisher at a time write the store, with the ETag calls and nothing else', () => {
    expect(publisher.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(variables(publisher)[ENV.GATE_KVS_ARN]).toEqual({ 'Fn::GetAtt': [kvsId, 'Arn'] });
    const kvsStatements = statementsOf(template, publisherId).filter((s) => JSON.stringify(s.Action).includes('cloudfront-keyvaluestore'));
    expect(kvsStatements).toEqual([
      expect.objectContaining({
        Action: [
          'cloudfront-keyvaluestore:DescribeKeyValueStore',
          'cloudfront-keyvaluestore:UpdateKeys',
          'cloudfront-keyvaluestore:GetKey',
        ],
        Resource: { 'Fn::GetAtt': [kvsId, 'Arn'] },
      }),
    ]);
  });

  it('tells the endpoint and the tracker the table and the policy, and grants them its items alone', () => {
    const [endpointId, endpoint] = functionWith(template, ENV.INLINE_HASH_LIMIT);
    const [trackerId, tracker] = functionWith(template, ENV.ANNOUNCE_INTERVAL);
    for (const [id, fn] of [
      [endpointId, endpoint],
      [trackerId, tracker],
    ] as const) {
      expect(variables(fn)).toMatchObject({ [ENV.GATE_TABLE]: { Ref: tableId }, [ENV.GATE_FEEDS]: '2', [ENV.GATE_SEEDERS]: '1' });
      const onTable = statementsOf(template, id).filter((s) => JSON.stringify(s.Resource).includes(tableId));
      expect(onTable.flatMap((s) => [s.Action].flat()).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
    }
  });
});

describe('the web seed without the gate', () => {
  it('keeps the function and its KeyValueStore (an empty store serves everyone) but no table or publisher', () => {
    const template = synth({ webSeedGate: false });
    only(template, 'AWS::CloudFront::KeyValueStore');
    expect(resources(template, 'AWS::DynamoDB::GlobalTable').filter(([id]) => id.includes('WebSeedGate'))).toEqual([]);
    expect(resources(template, 'AWS::Lambda::Function').filter(([, f]) => JSON.stringify(f.Properties).includes(ENV.GATE_KVS_ARN))).toEqual(
      [],
    );
    expect(JSON.stringify(template.toJSON())).not.toContain(ENV.GATE_TABLE);
  });

  it('has no edge pieces at all with presigned redirects', () => {
    const template = synth({ webSeedMode: 'presigned' });
    expect(resources(template, 'AWS::CloudFront::KeyValueStore')).toEqual([]);
    expect(resources(template, 'AWS::CloudFront::Function')).toEqual([]);
  });
});
