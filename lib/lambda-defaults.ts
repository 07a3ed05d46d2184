import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { problemsOf } from '../lambdas/config/config';
import { LAMBDA_BUNDLING } from './bundling';

export const LAMBDAS_DIR = join(__dirname, '..', 'lambdas');

export interface ServiceFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture' | 'role'> {
  /** Path of the `*.lambda.ts` entry point, relative to lambdas/. */
  readonly entry: string;
  /**
   * The zod shape the entry point reads its environment with (lambdas/config/config.ts): the
   * environment the stack writes is checked against it at synth, so a value the cold start would
   * refuse fails `cdk synth` instead. Values only CloudFormation knows (ARNs, names) are skipped.
   */
  readonly envShape?: z.core.$ZodLooseShape;
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
    const envShape = props.envShape;
    if (envShape) this.node.addValidation({ validate: () => environmentProblems(this, envShape) });
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

/** The function's environment as CloudFormation will get it, against the shape its entry point reads. */
function environmentProblems(fn: ServiceFunction, shape: z.core.$ZodLooseShape): string[] {
  const cfn = fn.node.defaultChild as CfnFunction;
  const resolved = Stack.of(fn).resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined;
  const variables = resolved?.variables ?? {};
  const known: Record<string, string> = {};
  const checked: z.core.$ZodLooseShape = {};
  for (const [name, schema] of Object.entries(shape)) {
    const value = variables[name];
    if (value !== undefined && typeof value !== 'string') continue; // a Ref or GetAtt: known only at deploy time
    if (value !== undefined) known[name] = value;
    checked[name] = schema;
  }
  const result = z.object(checked).safeParse(known);
  return result.success ? [] : problemsOf(result.error).map((p) => `environment the Lambda would refuse at cold start: ${p}`);
}
