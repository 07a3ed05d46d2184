import { Logger } from '@aws-lambda-powertools/logger';
import { randomBytes } from 'node:crypto';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store';
import { endpointDeps } from '../../lambdas/endpoint/deps';
import { makeEndpointHandler } from '../../lambdas/endpoint/endpoint';
import { ROUTES } from '../../lambdas/http/routes';
import { createAwsClients, createDynamoDbClient } from '../../lambdas/runtime/aws-clients';
import { startLocalHttpApi, type LambdaHttpHandler, type LocalHttpApi } from '../../local/http-api';
import { LOCAL_CREDENTIALS } from '../../local/s3';
import { startRegionStandIn, type RegionStandIn } from '../support/s3-region-stand-in';

// A source bucket in eu-west-1 while the function runs in us-east-1, driven through the real SDK
// client against a stand-in that answers as S3 in another region does (301 + x-amz-bucket-region)
// and checks presigned signatures, method included.
const BUCKET = 'far-away';
const KEY = 'media/clip.bin';
const BODY = randomBytes(64 * 1024);
let standIn: RegionStandIn;

beforeAll(async () => {
  standIn = await startRegionStandIn({ region: 'eu-west-1', bucket: BUCKET, key: KEY, body: BODY, credentials: LOCAL_CREDENTIALS });
});
afterAll(() => standIn.stop());

/** The clients a Lambda in us-east-1 gets, pointed at the stand-in. */
const clients = () => createAwsClients({ s3Endpoint: standIn.endpoint, credentials: LOCAL_CREDENTIALS, region: 'us-east-1' });
const redirects = () => standIn.log.filter((r) => r.status === 301).length;
const regionOf = (url: string) => new URL(url).searchParams.get('X-Amz-Credential')?.split('/')[2];

describe('a source bucket in another region', () => {
  it('is read through its own region: one redirect to learn it, none after', async () => {
    const { s3, s3InRegion } = clients();
    const store = new S3ObjectStore(s3, s3InRegion);
    const before = redirects();
    const head = await store.head(BUCKET, KEY);
    expect(head.size).toBe(BODY.length);
    const chunks: Uint8Array[] = [];
    for await (const chunk of store.readRange(head, { start: 100, end: 5000 })) chunks.push(chunk);
    expect(Buffer.concat(chunks)).toEqual(BODY.subarray(100, 5000));
    await store.head(BUCKET, KEY);
    expect(redirects() - before).toBe(1);
  });

  it('gets presigned URLs signed for the bucket’s region, which S3 accepts', async () => {
    const { s3, s3InRegion } = clients();
    const store = new S3ObjectStore(s3, s3InRegion);
    const url = await store.presignGet(BUCKET, KEY, { expiresInSeconds: 600 });
    expect(regionOf(url)).toBe('eu-west-1');
    const answer = await fetch(url, { headers: { range: 'bytes=0-99' } });
    expect(answer.status).toBe(206);
    expect(Buffer.from(await answer.arrayBuffer())).toEqual(BODY.subarray(0, 100));
  });

  it('follows the redirect even without a region hint (the SDK setting alone)', async () => {
    const { s3 } = clients();
    expect(s3.config.followRegionRedirects).toBe(true);
    const head = await new S3ObjectStore(s3).head(BUCKET, KEY);
    expect(head.size).toBe(BODY.length);
  });
});

describe('HEAD through the front door and the web seed', () => {
  let api: LocalHttpApi;
  beforeAll(async () => {
    const { s3, s3InRegion } = clients();
    const handler = makeEndpointHandler(
      endpointDeps(
        // DynamoDB is not reached by redirects; a client that could never connect proves it.
        { s3, s3InRegion, dynamoDb: createDynamoDbClient({ dynamoDbEndpoint: 'http://127.0.0.1:9', region: 'us-east-1' }) },
        {
          torrentTable: 't',
          swarmTable: 's',
          metadataBucket: 'm',
          inlineHashLimit: 1024,
          sources: BUCKET,
          presignedUrlTtlSeconds: 600,
          privateWebSeedTtlSeconds: 600,
          signingKey: randomBytes(32),
        },
        new Logger({ logLevel: 'SILENT' }),
      ),
    ) as LambdaHttpHandler;
    api = await startLocalHttpApi(ROUTES.filter((r) => r.target === 'endpoint').map((route) => ({ route, handler })));
  });
  afterAll(() => api.stop());

  it.each([
    ['front door', `/${BUCKET}/${KEY}`],
    ['web seed', `/-/webseed/${BUCKET}/${KEY}`],
  ])('the %s redirects a HEAD to a URL presigned for HEAD, which S3 accepts', async (_, path) => {
    const redirect = await fetch(`${api.url}${path}`, { method: 'HEAD', redirect: 'manual' });
    expect(redirect.status).toBe(307);
    const location = redirect.headers.get('location')!;
    expect(regionOf(location)).toBe('eu-west-1');
    const object = await fetch(location, { method: 'HEAD' });
    expect(object.status).toBe(200);
    expect(object.headers.get('content-length')).toBe(String(BODY.length));
  });

  it('still redirects a GET to a URL presigned for GET, and the stand-in refuses it for HEAD (the method is signed)', async () => {
    const redirect = await fetch(`${api.url}/${BUCKET}/${KEY}`, { redirect: 'manual' });
    const location = redirect.headers.get('location')!;
    expect((await fetch(location, { headers: { range: 'bytes=0-9' } })).status).toBe(206);
    expect((await fetch(location, { method: 'HEAD' })).status).toBe(403);
  });
});
