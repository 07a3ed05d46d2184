import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType, type CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type * as z from 'zod/mini';
import { assembleTorrentEnvShape, planChunksEnvShape, workflowResultsEnvShape } from '../lambdas/config/config';
import { ENV } from '../lambdas/config/env';
import {
  FUNCTION_TIMEOUT_SECONDS,
  hashingWorkflowDefinition,
  placeholderFunctionArns,
  WORKFLOW_FUNCTIONS,
  type WorkflowFunction,
} from '../lambdas/workflow/definition';
import { JOB_RESULTS_PREFIX } from '../lambdas/ports/hashing-job';
import { ServiceFunction } from './lambda-defaults';
import { grantSourceRead, type SourceBucket } from './source-buckets';
import type { TorrentStorage } from './storage';

export interface HashingWorkflowProps {
  readonly storage: TorrentStorage;
  readonly sources: readonly SourceBucket[];
  /** Chunk Lambdas one job runs at once (the Map's MaxConcurrency); default 100. */
  readonly maxConcurrency?: number;
  /** Overrides the chunk rule's 256 MiB minimum chunk size. */
  readonly minChunkBytes?: number;
}

export const DEFAULT_HASH_CONCURRENCY = 100;

/** Unhashed chunk results of jobs that died without cleaning up are deleted after this long. */
export const CHUNK_RESULTS_EXPIRY = Duration.days(7);

/**
 * The parallel hashing workflow for objects above the inline limit: a standard state machine
 * whose definition comes from hashingWorkflowDefinition(), the function the local runner uses too,
 * with CloudFormation substituting the four functions' ARNs.
 */
export class HashingWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: Readonly<Record<WorkflowFunction, ServiceFunction>>;
  private readonly storage: TorrentStorage;

  constructor(scope: Construct, id: string, props: HashingWorkflowProps) {
    super(scope, id);
    const { storage, sources } = props;
    this.storage = storage;
    const fn = (name: WorkflowFunction, entry: string, memorySize: number, description: string, envShape: z.core.$ZodLooseShape) =>
      new ServiceFunction(this, `${name[0]!.toUpperCase()}${name.slice(1)}Function`, {
        entry,
        envShape,
        description: `s3-torrent hashing workflow: ${description}`,
        timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS[name]),
        memorySize,
      });
    this.functions = {
      planChunks: fn('planChunks', 'workflow/plan-chunks.lambda.ts', 512, 'Plan chunks', planChunksEnvShape),
      // One full vCPU: SHA-1 over 8 parallel ranged GETs.
      hashChunk: fn('hashChunk', 'workflow/hash-chunk.lambda.ts', 1769, 'Hash chunk', workflowResultsEnvShape),
      assembleTorrent: fn('assembleTorrent', 'workflow/assemble-torrent.lambda.ts', 1024, 'Assemble torrent', assembleTorrentEnvShape),
      recordFailure: fn('recordFailure', 'workflow/record-failure.lambda.ts', 256, 'Record failure', workflowResultsEnvShape),
    };
    const { planChunks, hashChunk, assembleTorrent, recordFailure } = this.functions;

    planChunks.addEnvironment(ENV.HASH_MAX_CONCURRENCY, String(props.maxConcurrency ?? DEFAULT_HASH_CONCURRENCY));
    if (props.minChunkBytes !== undefined) planChunks.addEnvironment(ENV.HASH_MIN_CHUNK_BYTES, String(props.minChunkBytes));
    for (const f of [planChunks, hashChunk, assembleTorrent]) grantSourceRead(f, sources);
    for (const f of Object.values(this.functions)) this.grantJobRecords(f);
    // Plan too: it reads a folder job's plan and freezes it for the execution, under the same prefix.
    for (const f of [planChunks, hashChunk, assembleTorrent, recordFailure]) this.grantChunkResults(f);
    storage.grantTorrentCache(assembleTorrent);
    storage.grantTorrentRegistry(assembleTorrent);
    storage.metadataBucket.addLifecycleRule({
      id: 'ExpireLeftoverChunkResults',
      prefix: JOB_RESULTS_PREFIX,
      expiration: CHUNK_RESULTS_EXPIRY,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      comment: 's3-torrent: parallel hashing of large objects',
      definitionBody: DefinitionBody.fromString(JSON.stringify(hashingWorkflowDefinition(placeholderFunctionArns()))),
      definitionSubstitutions: Object.fromEntries(
        (Object.keys(WORKFLOW_FUNCTIONS) as WorkflowFunction[]).map((name) => [WORKFLOW_FUNCTIONS[name], this.functions[name].functionArn]),
      ),
      tracingEnabled: true,
      logs: {
        // Under /aws/vendedlogs/ as Step Functions advises: other names add to a CloudWatch Logs
        // resource policy whose account-wide size limit busy accounts hit.
        destination: new LogGroup(this, 'StateMachineLogs', {
          logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-hashing-workflow`,
          retention: RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: LogLevel.ERROR,
        includeExecutionData: false,
      },
    });
    // Exactly the four functions' ARNs (the definition names them unqualified): no `:*` versions.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: Object.values(this.functions).map((f) => f.functionArn) }),
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing (xray:PutTraceSegments, xray:GetSamplingRules...) does not support resource-level permissions.',
    });
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF1',
      reason:
        'ERROR-level logging records every failure; ALL would log each of up to 10,000 chunk states per job, and the job records in DynamoDB already keep progress.',
    });
    // A distributed map runs its iterations as child executions of this state machine. As CDK's
    // DistributedMap does, this goes in a separate policy: the state machine's ARN in its own
    // default policy would be a circular reference.
    const childExecutions = new Policy(this, 'DistributedMapPolicy');
    this.stateMachine.role.attachInlinePolicy(childExecutions);
    this.stateMachine.grantStartExecution(childExecutions);
    this.stateMachine.grantExecution(childExecutions, 'states:DescribeExecution', 'states:StopExecution');
    this.acknowledgeExecutions(childExecutions);
  }

  /** Executions are named at run time; the grant is limited to executions of this state machine. */
  private acknowledgeExecutions(scope: Construct): void {
    const stack = Stack.of(this);
    const logicalId = stack.getLogicalId(this.stateMachine.node.defaultChild as CfnStateMachine);
    // cdk-nag writes pseudo parameters as <AWS::Region>; a stack with a fixed region has it literally.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalId}"}]}]}:*]`,
      reason: 'Executions of this state machine only; their names are made per job at run time.',
    });
  }

  /**
   * Lets a function start hashing jobs and look their executions up: the state machine's ARN in
   * its environment, StartExecution and DescribeExecution. Job records are in the torrent table
   * (grantTorrentCache).
   */
  grantStartJobs(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.STATE_MACHINE_ARN, this.stateMachine.stateMachineArn);
    this.stateMachine.grantStartExecution(fn);
    this.stateMachine.grantExecution(fn, 'states:DescribeExecution');
    this.acknowledgeExecutions(fn.role ?? fn);
  }

  private grantJobRecords(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.TORRENT_TABLE, this.storage.torrentTable.tableName);
    this.storage.torrentTable.grantReadWriteData(fn);
  }

  /** Chunk results: written by Hash chunk, read by Assemble, listed and deleted by both clean-ups. */
  private grantChunkResults(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.METADATA_BUCKET, this.storage.metadataBucket.bucketName);
    this.storage.grantMetadataObjects(fn, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], { prefix: JOB_RESULTS_PREFIX, list: true });
  }
}
