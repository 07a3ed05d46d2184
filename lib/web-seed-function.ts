import { Function as CloudFrontFunction, FunctionCode, FunctionRuntime } from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import { webSeedFunctionSource } from '../lambdas/edge/function-source';
import type { SourceBucket } from './source-buckets';

/**
 * The web-seed distribution's viewer-request function (`lambdas/edge/web-seed-gate.js`), with the
 * source allowlist written in: CloudFront Functions have no environment.
 */
export function webSeedViewerRequestFunction(scope: Construct, id: string, sources: readonly SourceBucket[]): CloudFrontFunction {
  const entries = sources.map((s) => ({ bucket: s.bucketName, prefix: s.prefix ?? '', access: s.access ?? ('public' as const) }));
  return new CloudFrontFunction(scope, id, {
    code: FunctionCode.fromInline(webSeedFunctionSource(entries)),
    runtime: FunctionRuntime.JS_2_0,
    comment: 's3-torrent web seeds: route to the bucket, refuse what is not served',
  });
}
