import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { LAMBDA_BUNDLING } from './bundling';

export const LAMBDAS_DIR = join(__dirname, '..', 'lambdas');

export interface ServiceFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture' | 'role'> {
  /** Path of the `*.lambda.ts` entry point, relative to lambdas/. */
  readonly entry: string;
}

/**
 * Every function of the service: Node.js 22 on arm64, bundled by the local esbuild (never Docker),
 * minified with source maps, logging to its own log group with a retention period, under a role
 * that may write only to that log group (no AWS managed policy).
 */
export class ServiceFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:log-stream:*`],
      }),
    );
    super(scope, id, {
      memorySize: 1024,
      timeout: Duration.seconds(30),
      ...props,
      entry: join(LAMBDAS_DIR, props.entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      role,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 's3-torrent',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.CJS,
        target: LAMBDA_BUNDLING.target,
        minify: LAMBDA_BUNDLING.minify,
        sourceMap: LAMBDA_BUNDLING.sourceMap,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        sourcesContent: false,
        forceDockerBundling: false,
        // The SDK is bundled, not taken from the runtime, so what runs is what the tests ran.
        externalModules: [],
        ...props.bundling,
      },
    });
    const stack = Stack.of(this);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the service is built and tested for; moving to a newer one is a deliberate, tested change.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(logGroup.node.defaultChild as never)}.Arn>:log-stream:*]`,
      reason: "Log streams are created at run time; the grant is limited to streams of this function's own log group.",
    });
  }
}
