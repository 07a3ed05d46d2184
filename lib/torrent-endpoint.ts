import { Duration, Validations } from 'aws-cdk-lib';
import { HttpMethod, type HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import { endpointEnvShape } from '../lambdas/config/config';
import { ENV } from '../lambdas/config/env';
import { ROUTES } from '../lambdas/http/routes';
import { ServiceFunction } from './lambda-defaults';
import { grantSourceRead, type SourceBucket } from './source-buckets';
import type { TorrentStorage } from './storage';

export interface TorrentEndpointProps {
  readonly api: HttpApi;
  readonly storage: TorrentStorage;
  readonly sources: readonly SourceBucket[];
  readonly inlineHashLimitBytes: number;
  readonly presignedUrlTtl: Duration;
  /** Lifetime of a private object's web seed in its torrent (the handler's default when unset). */
  readonly privateWebSeedTtl?: Duration;
  /** Written into torrents instead of the execute-api URL, e.g. behind a custom domain. */
  readonly publicBaseUrl?: string;
  /** Concurrent executions kept for the endpoint alone (so a hashing burst cannot starve it); none by default. */
  readonly reservedConcurrency?: number;
}

/** `GET|HEAD /{bucket}/{key+}` (`?torrent` or a redirect to the object) and the BEP 19 web seed. */
export class TorrentEndpoint extends Construct {
  readonly function: ServiceFunction;

  constructor(scope: Construct, id: string, props: TorrentEndpointProps) {
    super(scope, id);
    this.function = new ServiceFunction(this, 'Function', {
      entry: 'endpoint/endpoint.lambda.ts',
      envShape: endpointEnvShape,
      description: 's3-torrent: ?torrent for S3 objects, and redirects to their bytes',
      // API Gateway stops waiting after 30 s; the inline limit keeps hashing well inside that.
      timeout: Duration.seconds(29),
      memorySize: 1769, // one full vCPU for SHA-1
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        [ENV.INLINE_HASH_LIMIT]: String(props.inlineHashLimitBytes),
        [ENV.PRESIGNED_URL_TTL]: String(props.presignedUrlTtl.toSeconds()),
        ...(props.privateWebSeedTtl ? { [ENV.PRIVATE_WEBSEED_TTL]: String(props.privateWebSeedTtl.toSeconds()) } : {}),
        ...(props.publicBaseUrl ? { [ENV.PUBLIC_BASE_URL]: props.publicBaseUrl } : {}),
      },
    });
    props.storage.grantTorrentCache(this.function);
    props.storage.grantTorrentRegistry(this.function);
    props.storage.grantSigningKey(this.function);
    grantSourceRead(this.function, props.sources);

    const integration = new HttpLambdaIntegration('Integration', this.function);
    const iam = new HttpIamAuthorizer();
    for (const route of ROUTES.filter((r) => r.target === 'endpoint')) {
      const added = props.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(route.auth === 'iam' ? { authorizer: iam } : {}),
      });
      if (route.auth === 'iam') continue;
      for (const publicRoute of added) {
        Validations.of(publicRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Public by design: BitTorrent clients fetch torrents and web seeds without AWS credentials. The handler serves only allowlisted sources, and private ones only with a signed link (IAM callers use the /-/iam/ routes).',
        });
      }
    }
  }
}
