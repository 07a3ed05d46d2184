import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionDescription, ExecutionStatus, HashingWorkflow } from '../ports/hashing-workflow';
import type { WorkflowInput } from '../ports/hashing-job';

/** The hashing workflow's executions on AWS Step Functions. */
export class StepFunctionsHashingWorkflow implements HashingWorkflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(name: string, input: WorkflowInput): Promise<void> {
    try {
      // A standard workflow given the name and input of a running execution returns that
      // execution; an ended one (or different input) answers ExecutionAlreadyExists: found, too.
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (err) {
      if ((err as Error).name !== 'ExecutionAlreadyExists') throw err;
    }
  }

  async describe(name: string): Promise<ExecutionDescription | undefined> {
    try {
      const out = await this.sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(this.stateMachineArn, name) }));
      return { status: (out.status ?? 'RUNNING') as ExecutionStatus, error: out.error, cause: out.cause };
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist || (err as Error).name === 'ExecutionDoesNotExist') return undefined;
      throw err;
    }
  }
}

/** arn:aws:states:<region>:<account>:stateMachine:<machine> -> ...:execution:<machine>:<name> */
export function executionArn(stateMachineArn: string, name: string): string {
  const marker = ':stateMachine:';
  const at = stateMachineArn.indexOf(marker);
  if (at < 0) throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  return `${stateMachineArn.slice(0, at)}:execution:${stateMachineArn.slice(at + marker.length)}:${name}`;
}
