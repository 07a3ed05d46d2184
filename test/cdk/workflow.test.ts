import aslValidator from 'asl-validator';
import { testApp } from '../support/cdk';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { S3TorrentStack } from '../../lib/s3-torrent-stack';
import { parseSourceBuckets } from '../../lib/source-buckets';
import { ENV } from '../../lambdas/config/env';
import {
  RETRY_TRANSIENT_ERRORS,
  STATE,
  substituteDefinition,
  WORKFLOW_FUNCTIONS,
  type WorkflowFunction,
} from '../../lambdas/workflow/definition';
import { LOCAL_FUNCTION_ARNS, LocalHashingWorkflow } from '../../local/step-functions';
import type { WorkflowTasks } from '../../lambdas/workflow/tasks';

// One synthesized stack for the whole file: bundling the Lambdas is the slow part.
const stack = new S3TorrentStack(testApp(), 'Workflow', {
  sources: parseSourceBuckets(['media', 'docs/public/']),
  eventSources: parseSourceBuckets(['media/uploads/', 'media/incoming/', 'docs/public/', 'elsewhere']),
  hashConcurrency: 64,
});
const template = Template.fromStack(stack);
type Resource = { Properties: Record<string, unknown> };
const [machineId, machine] = Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))[0] as [string, Resource];
const definitionString = machine.Properties.DefinitionString as string;
const substitutions = machine.Properties.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>;
const logicalId = (fn: WorkflowFunction) => stack.getLogicalId(stack.workflow.functions[fn].node.defaultChild as never);

describe('hashing workflow state machine', () => {
  it('is a standard state machine with tracing and error logging', () => {
    expect(machine.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ERROR' },
    });
  });

  it('substitutes each function ARN into the definition', () => {
    expect(Object.keys(substitutions).sort()).toEqual(Object.values(WORKFLOW_FUNCTIONS).sort());
    for (const [fn, placeholder] of Object.entries(WORKFLOW_FUNCTIONS) as [WorkflowFunction, string][]) {
      expect(substitutions[placeholder]).toEqual({ 'Fn::GetAtt': [logicalId(fn), 'Arn'] });
    }
  });

  it('runs locally as exactly the definition CDK synthesizes', () => {
    const local = Object.fromEntries(
      (Object.entries(WORKFLOW_FUNCTIONS) as [WorkflowFunction, string][]).map(([fn, placeholder]) => [
        placeholder,
        LOCAL_FUNCTION_ARNS[fn],
      ]),
    );
    const runner = new LocalHashingWorkflow({} as WorkflowTasks);
    expect(JSON.parse(substituteDefinition(definitionString, local))).toEqual(runner.definition);
  });

  it('is valid Amazon States Language once the ARNs are in', () => {
    const arns = Object.fromEntries(
      Object.values(WORKFLOW_FUNCTIONS).map((p) => [p, `arn:aws:lambda:eu-west-1:123456789012:function:${p}`]),
    );
    const result = aslValidator(JSON.parse(substituteDefinition(definitionString, arns)));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  const definition = JSON.parse(definitionString) as { States: Record<string, Record<string, unknown>> };
  const map = definition.States[STATE.HASH_CHUNKS] as {
    ItemProcessor: { ProcessorConfig: unknown; States: Record<string, Record<string, unknown>> };
  } & Record<string, unknown>;

  it('retries every task with the transient-error policy and catches every failure into "Record failure"', () => {
    const tasks = [
      definition.States[STATE.PLAN_CHUNKS],
      map.ItemProcessor.States[STATE.HASH_CHUNK],
      definition.States[STATE.ASSEMBLE_TORRENT],
      definition.States[STATE.RECORD_FAILURE],
    ];
    for (const task of tasks)
      expect(task!.Retry).toEqual([{ ...RETRY_TRANSIENT_ERRORS, ErrorEquals: [...RETRY_TRANSIENT_ERRORS.ErrorEquals] }]);
    for (const state of [STATE.PLAN_CHUNKS, STATE.HASH_CHUNKS, STATE.ASSEMBLE_TORRENT]) {
      expect(definition.States[state]!.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STATE.RECORD_FAILURE },
      ]);
    }
  });

  it('fans out in distributed mode with the configured concurrency', () => {
    expect(map).toMatchObject({
      MaxConcurrencyPath: '$.plan.maxConcurrency',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.HASH_MAX_CONCURRENCY]: '64' }) },
    });
  });

  it('may start and stop its own child executions (distributed map) and invoke its four functions', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: machineId } }),
          Match.objectLike({ Action: ['states:DescribeExecution', 'states:StopExecution'] }),
        ]),
      },
    });
    const invoke = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    for (const fn of Object.keys(WORKFLOW_FUNCTIONS) as WorkflowFunction[]) expect(invoke).toContain(logicalId(fn));
  });

  it("gives the chunk function a full vCPU and Lambda's 15 minutes", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Hash chunk'),
      Timeout: 900,
      MemorySize: 1769,
      Architectures: ['arm64'],
    });
  });

  it('expires chunk results a failed job left behind', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'jobs/', ExpirationInDays: 7, Status: 'Enabled' })]) },
    });
  });

  it('lets the endpoint start jobs and describe their executions', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 29,
      Environment: { Variables: Match.objectLike({ [ENV.STATE_MACHINE_ARN]: { Ref: machineId } }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: machineId } }),
          Match.objectLike({ Action: 'states:DescribeExecution' }),
        ]),
      },
    });
  });
});

describe('S3 event triggers', () => {
  it('has one EventBridge rule per bucket, matching its prefixes, for created and deleted objects', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created', 'Object Deleted'],
        detail: { bucket: { name: ['media'] }, object: { key: [{ prefix: 'uploads/' }, { prefix: 'incoming/' }] } },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { bucket: { name: ['elsewhere'] } } }),
    });
    template.resourceCountIs('AWS::Events::Rule', 3);
  });

  it('changes no bucket notification configuration (no custom resource replacing it)', () => {
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  it('warns about event sources the service does not serve', () => {
    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp('Event sources outside the source buckets are ignored: elsewhere/'),
    );
  });

  it('runs the events function with the inline limit, job starting and a dead-letter queue for what fails', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('pre-build torrents on upload'),
      Environment: {
        Variables: Match.objectLike({ [ENV.INLINE_HASH_LIMIT]: String(256 * 1024 * 1024), [ENV.STATE_MACHINE_ARN]: { Ref: machineId } }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { DestinationConfig: { OnFailure: Match.anyValue() } });
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600 });
  });
});

describe('publishing', () => {
  type Statement = { Action: string | string[]; Resource: unknown };
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
    Properties: { Role: { 'Fn::GetAtt': [string, string] }; Environment?: { Variables?: Record<string, unknown> } };
  }[];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } };
  }[];
  const statementsOfRole = (roleId: string) =>
    policies.filter((p) => p.Properties.Roles.some((r) => r.Ref === roleId)).flatMap((p) => p.Properties.PolicyDocument.Statement);
  const dynamoDbActionsOn = (statements: Statement[], table: RegExp) =>
    [...new Set(statements.filter((s) => table.test(JSON.stringify(s.Resource))).flatMap((s) => [s.Action].flat()))]
      .filter((a) => a.startsWith('dynamodb:'))
      .sort();
  // Functions that publish torrents: the cache and the swarm table in their environment.
  const publishers = functions.filter((f) => {
    const variables = f.Properties.Environment?.Variables ?? {};
    return ENV.TORRENT_TABLE in variables && ENV.SWARM_TABLE in variables;
  });

  it('lets exactly the endpoint, the events function and "Assemble torrent" publish', () => {
    const roleOf = (fn: { node: { defaultChild?: unknown } }) =>
      (template.findResources('AWS::Lambda::Function')[stack.getLogicalId(fn.node.defaultChild as never)] as (typeof functions)[number])
        .Properties.Role['Fn::GetAtt'][0];
    expect(publishers.map((f) => f.Properties.Role['Fn::GetAtt'][0]).sort()).toEqual(
      [stack.endpoint.function, stack.events!.function, stack.workflow.functions.assembleTorrent].map(roleOf).sort(),
    );
  });

  it('writes registrations only through UpdateItem (the publish transaction), never Put, Delete or a batch on the swarm table', () => {
    for (const fn of publishers) {
      expect(dynamoDbActionsOn(statementsOfRole(fn.Properties.Role['Fn::GetAtt'][0]), /SwarmTable/)).toEqual(['dynamodb:UpdateItem']);
    }
  });

  it('may write the cache item and the build lease (Put, Update, Delete, consistent Get) on the torrent table', () => {
    for (const fn of publishers) {
      const actions = dynamoDbActionsOn(statementsOfRole(fn.Properties.Role['Fn::GetAtt'][0]), /TorrentTable/);
      expect(actions).toEqual(
        expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem']),
      );
    }
  });
});
