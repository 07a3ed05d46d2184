import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { bdecode } from '../../lambdas/core/bencode';
import { ROUTE } from '../../lambdas/http/routes';
import { loadSigningKey, SigningKeyCache, withSigningKey } from '../../lambdas/security/signing-key';
import { makeTrackerHandler, trackerUnavailable } from '../../lambdas/tracker/tracker';
import { TrackerService } from '../../lambdas/tracker/tracker-service';
import { DEFAULT_ANNOUNCE_POLICY } from '../../lambdas/core/tracker/announce-policy';
import { LinkSigner } from '../../lambdas/security/signed-links';
import type { SwarmStore } from '../../lambdas/ports/swarm-store';

const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);

describe('SigningKeyCache', () => {
  it('retries after a failed read instead of keeping the failure', async () => {
    let calls = 0;
    const keys = new SigningKeyCache(async () => {
      calls++;
      if (calls === 1) throw new Error('Secrets Manager is having a moment');
      return Buffer.from(KEY_A);
    });
    await expect(keys.get()).rejects.toThrow('having a moment');
    expect(Buffer.from(await keys.get()).toString()).toBe(KEY_A);
    expect(calls).toBe(2);
  });

  it('reads the key again after the TTL, so a rotation reaches a warm container', async () => {
    let now = 0;
    let current = KEY_A;
    let calls = 0;
    const keys = new SigningKeyCache(async () => (calls++, Buffer.from(current)), { ttlMs: 60_000, now: () => now });
    expect(Buffer.from(await keys.get()).toString()).toBe(KEY_A);
    current = KEY_B;
    now = 59_000;
    expect(Buffer.from(await keys.get()).toString()).toBe(KEY_A);
    now = 61_000;
    expect(Buffer.from(await keys.get()).toString()).toBe(KEY_B);
    expect(calls).toBe(2);
  });

  it('keeps serving the key it holds while a refresh fails, and tries again next time', async () => {
    let now = 0;
    let failing = false;
    const failures: unknown[] = [];
    const keys = new SigningKeyCache(
      async () => {
        if (failing) throw new Error('throttled');
        return Buffer.from(KEY_A);
      },
      { ttlMs: 1000, now: () => now, onRefreshFailed: (err) => failures.push(err) },
    );
    await keys.get();
    failing = true;
    now = 5000;
    expect(Buffer.from(await keys.get()).toString()).toBe(KEY_A);
    expect(failures).toHaveLength(1);
    await keys.get();
    expect(failures).toHaveLength(2);
  });

  it('shares one read between concurrent callers', async () => {
    let calls = 0;
    const keys = new SigningKeyCache(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return Buffer.from(KEY_A);
    });
    await Promise.all([keys.get(), keys.get(), keys.get()]);
    expect(calls).toBe(1);
  });
});

/**
 * Secrets Manager's GetSecretValue (JSON 1.1) for one secret, answering 500 to the first
 * `failFirst` requests: the real SDK client talks to it.
 */
async function startSecretsStandIn(
  failFirst: number,
): Promise<{ endpoint: string; value: { current: string }; requests: () => number; stop: () => Promise<void> }> {
  let requests = 0;
  const value = { current: KEY_A };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'InvalidRequestException' }));
      } else if (requests <= failFirst) {
        res
          .writeHead(500, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ __type: 'InternalServiceError', message: 'oops' }));
      } else {
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:k', Name: 'k', SecretString: value.current }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    value,
    requests: () => requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const scrapeEvent = (): APIGatewayProxyEventV2 =>
  ({
    routeKey: ROUTE.PRIVATE_SCRAPE,
    rawPath: '/-/private/x/scrape',
    rawQueryString: `info_hash=${'%01'.repeat(20)}`,
    pathParameters: { token: 'not-the-token' },
    headers: {},
    requestContext: { requestId: 'r', http: { method: 'GET', sourceIp: '127.0.0.1', path: '/' } },
  }) as unknown as APIGatewayProxyEventV2;

const failureOf = (body: string) =>
  Buffer.from((bdecode(Buffer.from(body, 'base64')) as Record<string, Uint8Array>)['failure reason'] ?? new Uint8Array()).toString();

describe('the tracker with a signing key from Secrets Manager', () => {
  it('answers a failure reason (never a 5xx) while the key cannot be read, then works without a restart', async () => {
    const secrets = await startSecretsStandIn(1);
    try {
      const client = new SecretsManagerClient({
        endpoint: secrets.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        maxAttempts: 1,
      });
      const keys = new SigningKeyCache(() => loadSigningKey('arn:aws:secretsmanager:us-east-1:1:secret:k', client));
      const logger = new Logger({ logLevel: 'SILENT' });
      const handler = withSigningKey(
        keys,
        (key) =>
          makeTrackerHandler({
            tracker: new TrackerService({
              store: { trackedTorrents: async () => new Map() } as unknown as SwarmStore,
              tokens: new LinkSigner(key),
              policy: DEFAULT_ANNOUNCE_POLICY,
            }),
            trustIpHints: false,
            logger,
          }),
        () => trackerUnavailable(),
      );
      const first = await handler(scrapeEvent());
      expect(first.statusCode).toBe(200);
      expect(failureOf(first.body!)).toMatch(/temporarily unavailable/);
      const second = await handler(scrapeEvent());
      expect(second.statusCode).toBe(200);
      // Now the key is there: the private scrape is judged on its token, not refused for an outage.
      expect(failureOf(second.body!)).not.toMatch(/temporarily unavailable/);
      expect(secrets.requests()).toBe(2);
      client.destroy();
    } finally {
      await secrets.stop();
    }
  });
});
