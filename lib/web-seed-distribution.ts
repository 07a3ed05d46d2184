import { Annotations, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLevel,
  AllowedMethods,
  CachedMethods,
  CachePolicy,
  CacheQueryStringBehavior,
  CacheHeaderBehavior,
  CacheCookieBehavior,
  Distribution,
  FunctionEventType,
  HttpVersion,
  S3OriginAccessControl,
  Signing,
  ViewerProtocolPolicy,
  type BehaviorOptions,
  type IFunction,
  type IKeyGroup,
  type IOrigin,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { CLOUDFRONT_PRIVATE_PATH_PATTERN, webSeedOriginId } from '../lambdas/web-seeds/cloudfront-paths';
import { bucketOutputIds, kmsKeyRegion, type SourceBucket } from './source-buckets';

export interface WebSeedDistributionProps {
  /** The source buckets (at least one); every one becomes an origin (id `s3-<bucket>`). */
  readonly sources: readonly SourceBucket[];
  /** The viewer-request function that routes each request to its bucket and refuses the rest. */
  readonly viewerRequest: IFunction;
  /** Trusted on `/-/private/*`: CloudFront serves private objects only with URLs signed by its keys. */
  readonly keyGroup: IKeyGroup;
  /** How long edges keep an object when S3 sends no Cache-Control (default 1 day). */
  readonly cacheTtl?: Duration;
}

/** CloudFront's default quota of cache behaviours per distribution (one is the default behaviour's). */
const MAX_BEHAVIOURS = 25;

/**
 * The web seed on AWS: a CloudFront distribution in front of the source buckets, reaching them
 * through one Origin Access Control (SigV4-signed origin requests; the buckets stay private). The
 * viewer-request function picks the origin; behaviours exist per bucket only so CloudFormation has
 * every origin, plus `/-/private/*`, which demands a URL signed with the stack's key group.
 *
 * S3 to CloudFront transfer is free, and CloudFront serves a Range request from its cache or asks
 * S3 for (a larger piece of) the range, so a swarm's web-seed requests reach S3 about once per edge.
 */
export class WebSeedDistribution extends Construct {
  readonly distribution: Distribution;
  /** `https://<domain>`: the prefix of every web seed written into torrents. */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: WebSeedDistributionProps) {
    super(scope, id);
    const buckets = [...new Set(props.sources.map((s) => s.bucketName))];
    // An SSE-KMS key lives in its bucket's region; other buckets are taken to be in the stack's.
    const regionOf = (bucket: string) => {
      const keyArn = props.sources.find((s) => s.bucketName === bucket && s.kmsKeyArn)?.kmsKeyArn;
      return keyArn ? kmsKeyRegion(keyArn) : undefined;
    };
    if (buckets.length === 0) throw new Error('the web-seed distribution needs at least one source bucket');
    if (buckets.length + 1 > MAX_BEHAVIOURS) {
      Annotations.of(this).addWarningV2(
        's3-torrent:webSeedBehaviourQuota',
        `${buckets.length} source buckets need ${buckets.length + 1} cache behaviours; CloudFront's default quota is ${MAX_BEHAVIOURS} (request an increase before deploying).`,
      );
    }

    const originAccessControl = new S3OriginAccessControl(this, 'OriginAccessControl', {
      description: 's3-torrent web seeds: CloudFront signs every request to the source buckets',
      signing: Signing.SIGV4_ALWAYS,
    });
    const origins = new Map<string, IOrigin>(
      buckets.map((name, i) => [
        name,
        S3BucketOrigin.withOriginAccessControl(
          Bucket.fromBucketAttributes(this, `Source${i}`, { bucketName: name, region: regionOf(name) }),
          {
            originId: webSeedOriginId(name),
            originAccessControl,
            originAccessLevels: [AccessLevel.READ, AccessLevel.READ_VERSIONED],
          },
        ),
      ]),
    );
    // The stack did not create these buckets, so it cannot write their policies: it outputs the statements instead (below).
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      'The source buckets belong to the operator: the stack outputs the statement each bucket policy needs (docs/web-seed.md).',
    );

    const cachePolicy = new CachePolicy(this, 'CachePolicy', {
      comment: 's3-torrent web seeds: object bytes keyed by path and versionId only',
      defaultTtl: props.cacheTtl ?? Duration.days(1),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.days(365),
      queryStringBehavior: CacheQueryStringBehavior.allowList('versionId'),
      headerBehavior: CacheHeaderBehavior.none(),
      cookieBehavior: CacheCookieBehavior.none(),
      // Torrent payloads are usually compressed already, and a compressed answer breaks byte ranges.
      enableAcceptEncodingGzip: false,
      enableAcceptEncodingBrotli: false,
    });
    const behaviour = (origin: IOrigin): BehaviorOptions => ({
      origin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: CachedMethods.CACHE_GET_HEAD,
      cachePolicy,
      compress: false,
      functionAssociations: [{ function: props.viewerRequest, eventType: FunctionEventType.VIEWER_REQUEST }],
    });
    const first = origins.get(buckets[0] as string) as IOrigin;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 's3-torrent web seeds',
      defaultBehavior: behaviour(first),
      additionalBehaviors: {
        [CLOUDFRONT_PRIVATE_PATH_PATTERN]: { ...behaviour(first), trustedKeyGroups: [props.keyGroup] },
        ...Object.fromEntries([...origins].map(([name, origin]) => [`/${name}/*`, behaviour(origin)])),
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
    });
    this.baseUrl = `https://${this.distribution.distributionDomainName}`;

    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Torrents are shared worldwide; which objects are served is decided by the source allowlist, not by country.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Only GET/HEAD of allowlisted objects reach S3 (the viewer-request function refuses the rest); WAF would add a per-request charge to every range request of every download.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Downloads are many range requests of large objects; the tracker already records swarms. Operators who need access logs add standard logging to an S3 bucket of theirs.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, for which CloudFront cannot raise the minimum TLS version; the content is public or protected by signed URLs, not by TLS policy.',
      },
    );
    this.outputBucketPolicies(props.sources);
  }

  private get distributionArn(): string {
    const stack = Stack.of(this);
    return `arn:${stack.partition}:cloudfront::${stack.account}:distribution/${this.distribution.distributionId}`;
  }

  /** Web seeds and redirects on this distribution: the mode and its URL in the function's environment. */
  grantWebSeeds(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.WEB_SEED_MODE, 'cloudfront');
    fn.addEnvironment(ENV.WEB_SEED_BASE_URL, this.baseUrl);
  }

  /**
   * The statement each source bucket's policy needs so the distribution (and only it) may read the
   * configured prefixes: versions too, since torrents of versioned buckets pin the version.
   */
  bucketPolicyStatement(bucketName: string, prefixes: readonly string[]): PolicyStatement {
    const stack = Stack.of(this);
    return new PolicyStatement({
      sid: 'S3TorrentWebSeedRead',
      effect: Effect.ALLOW,
      principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [...new Set(prefixes)].map((prefix) => `arn:${stack.partition}:s3:::${bucketName}/${prefix}*`),
      conditions: {
        StringEquals: {
          'AWS:SourceArn': this.distributionArn,
        },
      },
    });
  }

  private outputBucketPolicies(sources: readonly SourceBucket[]): void {
    const stack = Stack.of(this);
    for (const [name, id] of bucketOutputIds('WebSeedBucketPolicy', sources)) {
      const prefixes = sources.filter((s) => s.bucketName === name).map((s) => s.prefix ?? '');
      new CfnOutput(stack, id, {
        description: `Bucket-policy statement for ${name}: the web-seed distribution reads it (merge into its policy's Statement list)`,
        value: stack.toJsonString({ Statement: [this.bucketPolicyStatement(name, prefixes).toStatementJson()] }),
      });
    }
    // SSE-KMS sources: CloudFront (OAC) needs kms:Decrypt in the key's policy as well.
    const keys = [...new Set(sources.flatMap((s) => (s.kmsKeyArn ? [s.kmsKeyArn] : [])))];
    keys.forEach((keyArn, i) => {
      new CfnOutput(stack, `WebSeedKeyPolicy${i}`, {
        description: `Key-policy statement for ${keyArn}: the web-seed distribution decrypts its objects (merge into its policy's Statement list)`,
        value: stack.toJsonString({
          Statement: [
            {
              Sid: 'S3TorrentWebSeedDecrypt',
              Effect: 'Allow',
              Principal: { Service: 'cloudfront.amazonaws.com' },
              Action: 'kms:Decrypt',
              Resource: '*',
              Condition: { StringEquals: { 'AWS:SourceArn': this.distributionArn } },
            },
          ],
        }),
      });
    });
  }
}
