import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { S3TorrentStack } from '../../lib/s3-torrent-stack';
import { parseSourceBuckets } from '../../lib/source-buckets';

// cdk-nag's AWS Solutions pack over the whole stack, configured the way a real deployment is (public
// and private sources with and without prefixes, a KMS key, S3 events switched on by the stack, a custom
// domain with its DNS records, reserved concurrency, an alarm topic): every finding must be fixed or
// acknowledged in code with a reason.
it('passes cdk-nag AwsSolutions with every suppression justified in code', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'nag-'));
  try {
    const app = new App({ outdir });
    new S3TorrentStack(app, 'Nag', {
      sources: parseSourceBuckets([
        'media-bucket',
        'docs/public/',
        'private:vault/secret/@arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ]),
      eventSources: parseSourceBuckets(['media-bucket/uploads/']),
      enableEventBridgeOn: ['media-bucket'],
      customDomain: {
        domainName: 'torrents.example.com',
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
        hostedZone: { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' },
      },
      reservedConcurrency: { endpoint: 50, tracker: 20 },
      alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:alarms',
      env: { account: '123456789012', region: 'us-east-1' },
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let failure: unknown;
    try {
      app.synth();
    } catch (err) {
      failure = err;
    }
    const report = join(outdir, 'validation-report.json');
    const findings = existsSync(report) ? readFileSync(report, 'utf8') : '';
    expect({ failure: failure && String(failure), findings: failure ? findings : '' }).toEqual({ failure: undefined, findings: '' });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
