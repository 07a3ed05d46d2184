import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { makeEventBridgeResourceHandler, type CustomResourceEvent } from '../../lambdas/events/eventbridge-resource';

/**
 * S3's bucket notification configuration (`GET`/`PUT /{bucket}?notification`, path-style) kept as
 * the XML the SDK sends, plus CloudFormation's response URL: s3rver has no notification API. The
 * real SDK client serializes and parses the XML both ways.
 */
interface StandIn {
  readonly endpoint: string;
  readonly configs: Map<string, string>;
  readonly responses: Record<string, unknown>[];
  /** PUTs of a notification configuration, and whether each asked to skip destination validation. */
  readonly puts: { bucket: string; skipValidation: boolean }[];
  stop(): Promise<void>;
}

const EMPTY = '<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>';

async function startStandIn(): Promise<StandIn> {
  const configs = new Map<string, string>();
  const responses: Record<string, unknown>[] = [];
  const puts: StandIn['puts'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const body = Buffer.concat(chunks).toString();
      if (url.pathname === '/cloudformation-response') {
        responses.push(JSON.parse(body) as Record<string, unknown>);
        return res.writeHead(200).end();
      }
      const bucket = url.pathname.replace(/^\/|\/$/g, '');
      if (!url.searchParams.has('notification')) return res.writeHead(400).end();
      if (bucket === 'gone') {
        return res
          .writeHead(404, { 'content-type': 'application/xml' })
          .end('<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>');
      }
      if (req.method === 'GET') return res.writeHead(200, { 'content-type': 'application/xml' }).end(configs.get(bucket) ?? EMPTY);
      if (req.method === 'PUT') {
        configs.set(bucket, body);
        puts.push({ bucket, skipValidation: req.headers['x-amz-skip-destination-validation'] === 'true' });
        return res.writeHead(200).end();
      }
      res.writeHead(405).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    configs,
    responses,
    puts,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let standIn: StandIn;
let s3: S3Client;
beforeAll(async () => {
  standIn = await startStandIn();
  s3 = new S3Client({
    endpoint: standIn.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
});
afterAll(async () => {
  s3.destroy();
  await standIn.stop();
});

const handler = () => makeEventBridgeResourceHandler({ s3, logger: new Logger({ logLevel: 'SILENT' }) });
const event = (RequestType: CustomResourceEvent['RequestType'], bucket: string, physicalId?: string): CustomResourceEvent => ({
  RequestType,
  ResponseURL: `${standIn.endpoint}/cloudformation-response?X-Amz-Signature=abc`,
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/S3Torrent/1',
  RequestId: `req-${Math.random()}`,
  LogicalResourceId: 'EventBridgeDeliveryBucketmedia',
  ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
  ResourceProperties: { BucketName: bucket },
});
const notifications = (bucket: string) => s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));

/** What an owner had set up before the stack came: a queue for uploads. */
const ownersQueue = {
  Id: 'owners-queue',
  QueueArn: 'arn:aws:sqs:us-east-1:123456789012:uploads',
  Events: ['s3:ObjectCreated:*' as const],
  Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: 'incoming/' }] } },
};

describe('the EventBridge delivery custom resource', () => {
  it('adds EventBridge delivery and keeps the owner’s other notifications; delete removes only what it added', async () => {
    await s3.send(
      new PutBucketNotificationConfigurationCommand({ Bucket: 'media', NotificationConfiguration: { QueueConfigurations: [ownersQueue] } }),
    );
    const created = await handler()(event('Create', 'media'));
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 's3-torrent-eventbridge:media:added' });
    const after = await notifications('media');
    expect(after.EventBridgeConfiguration).toEqual({});
    expect(after.QueueConfigurations).toEqual([ownersQueue]);
    // Existing destinations are written back without S3 testing them again.
    expect(standIn.puts.at(-1)).toEqual({ bucket: 'media', skipValidation: true });
    // CloudFormation was told, at its response URL.
    expect(standIn.responses.at(-1)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 's3-torrent-eventbridge:media:added' });

    const deleted = await handler()(event('Delete', 'media', created.PhysicalResourceId));
    expect(deleted.Status).toBe('SUCCESS');
    const restored = await notifications('media');
    expect(restored.EventBridgeConfiguration).toBeUndefined();
    expect(restored.QueueConfigurations).toEqual([ownersQueue]);
  });

  it('leaves a bucket that already delivered to EventBridge as it was, on create and on delete', async () => {
    await s3.send(
      new PutBucketNotificationConfigurationCommand({ Bucket: 'docs', NotificationConfiguration: { EventBridgeConfiguration: {} } }),
    );
    const putsBefore = standIn.puts.length;
    const created = await handler()(event('Create', 'docs'));
    expect(created.PhysicalResourceId).toBe('s3-torrent-eventbridge:docs:already-on');
    await handler()(event('Delete', 'docs', created.PhysicalResourceId));
    expect(standIn.puts.length).toBe(putsBefore);
    expect((await notifications('docs')).EventBridgeConfiguration).toEqual({});
  });

  it('moves to a new bucket on update (CloudFormation then deletes the old one), and does nothing for the same bucket', async () => {
    const first = await handler()(event('Create', 'old-bucket'));
    const same = await handler()(event('Update', 'old-bucket', first.PhysicalResourceId));
    expect(same.PhysicalResourceId).toBe(first.PhysicalResourceId);
    const moved = await handler()(event('Update', 'new-bucket', first.PhysicalResourceId));
    expect(moved.PhysicalResourceId).toBe('s3-torrent-eventbridge:new-bucket:added');
    expect((await notifications('new-bucket')).EventBridgeConfiguration).toEqual({});
  });

  it('reports a failure to CloudFormation instead of leaving it waiting, and a rollback delete succeeds', async () => {
    const failed = await handler()(event('Create', 'gone'));
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/NoSuchBucket/);
    expect(standIn.responses.at(-1)).toMatchObject({ Status: 'FAILED' });
    const rollback = await handler()(event('Delete', 'gone', failed.PhysicalResourceId));
    expect(rollback.Status).toBe('SUCCESS');
  });

  it('deletes without complaint when the bucket is gone', async () => {
    const deleted = await handler()(event('Delete', 'gone', 's3-torrent-eventbridge:gone:added'));
    expect(deleted.Status).toBe('SUCCESS');
  });
});
