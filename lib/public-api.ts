import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { DomainName, HttpApi, HttpStage, IpAddressType, LogGroupLogDestination, SecurityPolicy } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';

export interface CustomDomain {
  readonly domainName: string;
  /** An ACM certificate for the domain, in the stack's region. */
  readonly certificateArn: string;
  /** A Route 53 hosted zone that gets A and AAAA alias records for the domain (else point DNS at the DomainTarget output). */
  readonly hostedZone?: { readonly hostedZoneId: string; readonly zoneName: string };
}

export interface PublicApiProps {
  /** Steady-state requests per second across the API (API Gateway throttling). */
  readonly rateLimit: number;
  /** Requests allowed in a burst above the rate. */
  readonly burstLimit: number;
  readonly customDomain?: CustomDomain;
}

/**
 * The HTTP API every route hangs off: one `$default` stage with throttling and JSON access logs,
 * and optionally a custom domain. Its `url` is what torrents are written with. The API and the
 * domain answer over IPv4 and IPv6 (dual-stack): IPv4-only would keep IPv6 peers from the tracker,
 * and so `peers6` empty.
 */
export class PublicApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** The public base URL: the custom domain when there is one, else the execute-api URL. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: PublicApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      description: 's3-torrent: torrents for S3 objects',
      createDefaultStage: false,
      ipAddressType: IpAddressType.DUAL_STACK,
    });
    // Under /aws/vendedlogs/: API Gateway's log delivery then needs no per-group resource policy,
    // whose account-wide size limit busy accounts hit.
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/vendedlogs/apigateway/${Stack.of(this).stackName}-access-logs`,
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const domainName = props.customDomain && this.customDomain(props.customDomain);
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
      ...(domainName ? { domainMapping: { domainName } } : {}),
    });
    this.url = props.customDomain ? `https://${props.customDomain.domainName}` : this.api.apiEndpoint;
  }

  /** The domain (regional, TLS 1.2, dual-stack), its DNS target as outputs, and alias records when a hosted zone is given. */
  private customDomain(custom: CustomDomain): DomainName {
    const domain = new DomainName(this, 'Domain', {
      domainName: custom.domainName,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', custom.certificateArn),
      securityPolicy: SecurityPolicy.TLS_1_2,
      ipAddressType: IpAddressType.DUAL_STACK,
    });
    const stack = Stack.of(this);
    new CfnOutput(stack, 'DomainTarget', {
      value: domain.regionalDomainName,
      description: `Point ${custom.domainName} here: an alias A and AAAA record (Route 53), or a CNAME elsewhere`,
    });
    new CfnOutput(stack, 'DomainHostedZoneId', {
      value: domain.regionalHostedZoneId,
      description: 'The hosted zone id of DomainTarget, for a Route 53 alias record',
    });
    if (custom.hostedZone) {
      const zone = HostedZone.fromHostedZoneAttributes(this, 'HostedZone', custom.hostedZone);
      const target = RecordTarget.fromAlias(new ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId));
      new ARecord(this, 'AliasA', { zone, recordName: custom.domainName, target });
      new AaaaRecord(this, 'AliasAAAA', { zone, recordName: custom.domainName, target });
    }
    return domain;
  }
}
