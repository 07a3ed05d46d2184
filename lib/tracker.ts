import { Duration, Validations } from 'aws-cdk-lib';
import { HttpMethod, type HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import { DEFAULT_ANNOUNCE_POLICY, validatePolicy } from '../lambdas/core/tracker/announce-policy';
import { trackerEnvShape } from '../lambdas/config/config';
import { ENV } from '../lambdas/config/env';
import { ROUTES } from '../lambdas/http/routes';
import { ServiceFunction } from './lambda-defaults';
import type { TorrentStorage } from './storage';

export interface TrackerProps {
  readonly api: HttpApi;
  readonly storage: TorrentStorage;
  /** Between a client's regular announces (default 30 minutes). */
  readonly announceInterval?: Duration;
  /** The least a client must wait between announces of its own accord (default 5 minutes). */
  readonly minAnnounceInterval?: Duration;
  /**
   * Take peers' addresses from their `ip`/`ipv4`/`ipv6` parameters (default false: from the
   * connection). Only for deployments behind a proxy that rewrites them.
   */
  readonly trustAnnounceIpHints?: boolean;
  /** Concurrent executions kept for the tracker alone (so a hashing burst cannot starve it); none by default. */
  readonly reservedConcurrency?: number;
}

/** The BitTorrent tracker: `GET /announce` and `GET /scrape`, over the swarm table. */
export class Tracker extends Construct {
  readonly function: ServiceFunction;

  constructor(scope: Construct, id: string, props: TrackerProps) {
    super(scope, id);
    // Checked here so a bad pair fails `cdk synth`, not the Lambda's cold start.
    const policy = validatePolicy({
      interval: props.announceInterval?.toSeconds() ?? DEFAULT_ANNOUNCE_POLICY.interval,
      minInterval: props.minAnnounceInterval?.toSeconds() ?? DEFAULT_ANNOUNCE_POLICY.minInterval,
    });
    this.function = new ServiceFunction(this, 'Function', {
      entry: 'tracker/tracker.lambda.ts',
      envShape: trackerEnvShape,
      description: 's3-torrent: BitTorrent tracker (announce and scrape) for the torrents this service builds',
      // A few DynamoDB calls per request: I/O-bound, so less memory than the hashing endpoint. The
      // handler answers a failure reason after 5 s, well inside the timeout, so API Gateway never 5xxs.
      memorySize: 512,
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        [ENV.ANNOUNCE_INTERVAL]: String(policy.interval),
        [ENV.MIN_ANNOUNCE_INTERVAL]: String(policy.minInterval),
        [ENV.TRUST_ANNOUNCE_IP_HINTS]: String(props.trustAnnounceIpHints ?? false),
        // Metrics (EMF) already write one line per request; a log line per announce would double it.
        POWERTOOLS_LOG_LEVEL: 'WARN',
      },
    });
    props.storage.grantSwarm(this.function);
    props.storage.grantSigningKey(this.function);

    const integration = new HttpLambdaIntegration('Integration', this.function);
    for (const route of ROUTES.filter((r) => r.target === 'tracker')) {
      for (const added of props.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration })) {
        Validations.of(added).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Public by design: BitTorrent clients announce and scrape without AWS credentials. The tracker serves only infohashes this service registered.',
        });
      }
    }
  }
}
