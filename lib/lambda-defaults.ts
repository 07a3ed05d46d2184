import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';

export const LAMBDAS_DIR = join(__dirname, '..', 'lambdas');

export interface ServiceFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture'> {
  /** Path of the `*.lambda.ts` entry point, relative to lambdas/. */
  readonly entry: string;
}

/**
 * Every function of the service: Node.js 22 on arm64, bundled by the local esbuild (never Docker),
 * minified with source maps, logging to a log group with a retention period.
 */
export class ServiceFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      memorySize: 1024,
      timeout: Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      ...props,
      entry: join(LAMBDAS_DIR, props.entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 's3-torrent',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        forceDockerBundling: false,
        // The SDK is bundled, not taken from the runtime, so what runs is what the tests ran.
        externalModules: [],
        // Prefer ES module builds, which esbuild can tree-shake (about a fifth smaller bundles).
        mainFields: ['module', 'main'],
        ...props.bundling,
      },
    });
  }
}
