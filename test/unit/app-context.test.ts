import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appConfigFromContext, CONTEXT_KEYS, ContextError, readAppContext } from '../../lib/app-context';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ctx = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [`s3-torrent:${k}`, v]));
const problemsOf = (values: Record<string, unknown>): string[] => {
  try {
    appConfigFromContext(ctx(values));
  } catch (err) {
    if (err instanceof ContextError) return [...err.problems];
    throw err;
  }
  return [];
};

describe('the CDK context', () => {
  it('gives the defaults when nothing is set', () => {
    const { stackName, props } = appConfigFromContext({});
    expect(stackName).toBe('S3Torrent');
    expect(props).toMatchObject({ sources: [], eventSources: [], enableEventBridgeOn: [], trustAnnounceIpHints: false });
    expect(props.presignedUrlTtl).toBeUndefined();
  });

  it('reads lists from cdk.json arrays and command-line commas alike, and numbers from text', () => {
    const fromJson = appConfigFromContext(ctx({ sourceBuckets: ['media', 'private:vault/secret/'], hashConcurrency: 200 }));
    const fromCli = appConfigFromContext(ctx({ sourceBuckets: 'media, private:vault/secret/', hashConcurrency: '200' }));
    expect(fromCli).toEqual(fromJson);
    expect(fromJson.props.sources).toEqual([
      { bucketName: 'media', access: 'public' },
      { bucketName: 'vault', prefix: 'secret/', access: 'private' },
    ]);
    expect(fromJson.props.hashConcurrency).toBe(200);
  });

  it.each([
    // Values the Lambdas' own schemas refuse at cold start: refused here, at synth.
    [{ presignedUrlTtlSeconds: 8 * 24 * 3600 }, /s3-torrent:presignedUrlTtlSeconds: must be at most 604800/],
    [{ hashConcurrency: '10001' }, /s3-torrent:hashConcurrency: must be at most 10000/],
    [{ inlineHashLimitBytes: '1.5' }, /s3-torrent:inlineHashLimitBytes: must be a whole number/],
    [{ minChunkBytes: -1 }, /s3-torrent:minChunkBytes: must be positive/],
    [{ announceIntervalSeconds: 'soon' }, /s3-torrent:announceIntervalSeconds/],
    [{ trustAnnounceIpHints: 'maybe' }, /s3-torrent:trustAnnounceIpHints: must be true or false/],
    [{ endpointReservedConcurrency: 0 }, /s3-torrent:endpointReservedConcurrency: must be positive/],
    [{ alarmTopicArn: 'alarms' }, /s3-torrent:alarmTopicArn: must be an sns ARN/],
    [{ stackName: 'my stack' }, /s3-torrent:stackName/],
    [{ presignedUrlTTL: 60 }, /s3-torrent:presignedUrlTTL: unknown context key/],
    [{ domainName: 'torrents.example.com' }, /domainName and s3-torrent:certificateArn go together/],
    [{ minAnnounceIntervalSeconds: 900, announceIntervalSeconds: 600 }, /minAnnounceIntervalSeconds \(900\) must not exceed/],
    [{ sourceBuckets: 'Not_A_Bucket' }, /s3-torrent:sourceBuckets: "Not_A_Bucket": "Not_A_Bucket" is not a valid S3 bucket name/],
    [{ sourceBuckets: 'vault@arn:aws:kms:eu-west-1:111122223333:alias/media' }, /is not a KMS key ARN/],
    [{ eventSources: `media@${KEY_ARN}` }, /give the KMS key in sourceBuckets/],
    [{ eventSources: 'media', enableEventBridge: 'media,other' }, /enableEventBridge: other is not one of the event sources/],
  ])('refuses %j, naming the key', (values, message) => {
    expect(problemsOf(values).join('\n')).toMatch(message);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ hashConcurrency: 0, presignedUrlTtlSeconds: 'x', nope: 1 })).toHaveLength(3);
  });

  it('reads a KMS key ARN after @ in a source entry, and keeps it out of the allowlist syntax', () => {
    const { props } = appConfigFromContext(ctx({ sourceBuckets: `private:vault/secret/@${KEY_ARN},media` }));
    expect(props.sources[0]).toEqual({ bucketName: 'vault', prefix: 'secret/', access: 'private', kmsKeyArn: KEY_ARN });
    expect(props.sources[1]).toEqual({ bucketName: 'media', access: 'public' });
  });

  it('switches EventBridge on for every event bucket with true, or for the listed ones', () => {
    const all = appConfigFromContext(ctx({ eventSources: 'media/uploads/,docs', enableEventBridge: 'true' }));
    expect(all.props.enableEventBridgeOn).toEqual(['media', 'docs']);
    const some = appConfigFromContext(ctx({ eventSources: 'media/uploads/,docs', enableEventBridge: ['docs'] }));
    expect(some.props.enableEventBridgeOn).toEqual(['docs']);
    expect(appConfigFromContext(ctx({ eventSources: 'docs', enableEventBridge: false })).props.enableEventBridgeOn).toEqual([]);
  });

  it('takes a hosted zone only with a domain inside it', () => {
    const domain = { domainName: 'torrents.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' };
    const { props } = appConfigFromContext(ctx({ ...domain, hostedZoneId: 'Z0123456789ABC', hostedZoneName: 'example.com.' }));
    expect(props.customDomain?.hostedZone).toEqual({ hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
    expect(problemsOf({ ...domain, hostedZoneId: 'Z0123456789ABC', hostedZoneName: 'example.org' }).join()).toMatch(
      /not inside the hosted zone/,
    );
    expect(problemsOf({ ...domain, hostedZoneId: 'Z0123456789ABC' }).join()).toMatch(
      /hostedZoneId and s3-torrent:hostedZoneName go together/,
    );
  });

  it('reads the web-seed keys: the mode, lifetimes, and an imported key pair whose public key comes from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctx-'));
    try {
      const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      writeFileSync(join(dir, 'web-seed.pub'), pem);
      writeFileSync(join(dir, 'not-a-key.pub'), 'hello');
      const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:web-seed-key-AbCdEf';
      const { props } = appConfigFromContext(
        ctx({
          webSeed: 'presigned',
          privateWebSeedTtlSeconds: '86400',
          webSeedCacheTtlSeconds: 60,
          webSeedKeySecretArn: secretArn,
          webSeedPublicKeyFile: join(dir, 'web-seed.pub'),
        }),
      );
      expect(props.webSeedMode).toBe('presigned');
      expect(props.privateWebSeedTtl?.toSeconds()).toBe(86400);
      expect(props.webSeedCacheTtl?.toSeconds()).toBe(60);
      expect(props.webSeedKey).toEqual({ secretArn, publicKeyPem: pem });
      expect(appConfigFromContext({}).props.webSeedMode).toBeUndefined(); // the stack's default: cloudfront
      expect(problemsOf({ webSeed: 'lambda' }).join()).toMatch(/s3-torrent:webSeed: must be cloudfront or presigned/);
      expect(problemsOf({ privateWebSeedTtlSeconds: 400 * 86400 }).join()).toMatch(/privateWebSeedTtlSeconds: must be at most/);
      expect(problemsOf({ webSeedKeySecretArn: secretArn }).join()).toMatch(/go together/);
      expect(problemsOf({ webSeedKeySecretArn: secretArn, webSeedPublicKeyFile: join(dir, 'not-a-key.pub') }).join()).toMatch(
        /holds no PEM public key/,
      );
      expect(problemsOf({ webSeedKeySecretArn: secretArn, webSeedPublicKeyFile: join(dir, 'missing.pub') }).join()).toMatch(/cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('treats an empty value as unset and ignores other tools’ context', () => {
    expect(readAppContext({ 's3-torrent:presignedUrlTtlSeconds': '', '@aws-cdk/core:checkSecretUsage': true })).toEqual({});
  });

  it('has every key documented in docs/deploy.md', () => {
    const docs = readFileSync(join(__dirname, '..', '..', 'docs', 'deploy.md'), 'utf8');
    const missing = Object.keys(CONTEXT_KEYS).filter((key) => !docs.includes(key));
    expect(missing).toEqual([]);
  });
});

describe('bin/app.ts', () => {
  it('fails the synth with the problems, each naming its key, and no stack trace', () => {
    // Where the CDK CLI would have the app write (otherwise it makes a cdk.out* in the temp directory).
    const outdir = mkdtempSync(join(tmpdir(), 'app-context-'));
    const out = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'bin', 'app.ts')], {
      // How the CDK CLI hands context to the app.
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify(ctx({ presignedUrlTtlSeconds: '700000', hashConcurrency: 20000 })),
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    rmSync(outdir, { recursive: true, force: true });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('s3-torrent:presignedUrlTtlSeconds: must be at most 604800');
    expect(out.stderr).toContain('s3-torrent:hashConcurrency: must be at most 10000');
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
