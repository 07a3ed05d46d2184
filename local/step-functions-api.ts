import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { WorkflowInput } from '../lambdas/ports/hashing-job';
import type { LocalHashingWorkflow } from './step-functions';

/**
 * The two Step Functions API actions the service calls (StartExecution, DescribeExecution), spoken
 * over AWS JSON 1.0 on 127.0.0.1 and answered by a LocalHashingWorkflow. It lets the SDK adapter
 * (StepFunctionsHashingWorkflow) run against a stand-in, wire format and error names included, as
 * the DynamoDB and S3 adapters do. Signatures are not checked.
 *
 * The naming rules follow the Step Functions API reference: StartExecution with the name and input
 * of a running execution of a standard workflow returns that execution; an ended execution of that
 * name, or different input, is `ExecutionAlreadyExists`; DescribeExecution of an unknown name is
 * `ExecutionDoesNotExist`.
 */
export interface LocalStepFunctionsApi {
  readonly endpoint: string;
  readonly stateMachineArn: string;
  stop(): Promise<void>;
}

export const LOCAL_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:s3-torrent-hashing';

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startLocalStepFunctionsApi(
  workflow: LocalHashingWorkflow,
  stateMachineArn = LOCAL_STATE_MACHINE_ARN,
): Promise<LocalStepFunctionsApi> {
  const executionPrefix = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:`;
  const startDates = new Map<string, number>();

  const actions: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    async StartExecution(body) {
      if (body.stateMachineArn !== stateMachineArn)
        throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(body.stateMachineArn)}'`);
      const name = String(body.name ?? '');
      if (!/^[0-9A-Za-z_-]{1,80}$/.test(name)) throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
      const input = typeof body.input === 'string' ? body.input : '{}';
      const existing = await workflow.describe(name);
      if (existing !== undefined) {
        if (existing.status !== 'RUNNING' || workflow.inputOf(name) !== input) {
          throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionPrefix}${name}'`);
        }
      } else {
        await workflow.start(name, JSON.parse(input) as WorkflowInput);
        startDates.set(name, Date.now() / 1000);
      }
      return { executionArn: `${executionPrefix}${name}`, startDate: startDates.get(name) };
    },
    async DescribeExecution(body) {
      const arn = String(body.executionArn ?? '');
      const name = arn.startsWith(executionPrefix) ? arn.slice(executionPrefix.length) : undefined;
      const found = name === undefined ? undefined : await workflow.describe(name);
      if (name === undefined || found === undefined) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
      return {
        executionArn: arn,
        stateMachineArn,
        name,
        status: found.status,
        startDate: startDates.get(name),
        input: workflow.inputOf(name),
        ...(found.error !== undefined ? { error: found.error } : {}),
        ...(found.cause !== undefined ? { cause: found.cause } : {}),
      };
    },
  };

  const server: Server = createServer((req, res) => {
    void answer(actions, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the Step Functions stand-in has no address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stateMachineArn,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(
  actions: Record<string, (body: Record<string, unknown>) => Promise<unknown>>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const send = (status: number, body: unknown, errorType?: string) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': String(Buffer.byteLength(text)),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(text);
  };
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = actions[target.replace(/^AWSStepFunctions\./, '')];
    if (req.method !== 'POST' || action === undefined) throw new ApiError('UnknownOperationException', `unsupported: ${target}`);
    send(200, await action(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>));
  } catch (err) {
    const type = err instanceof ApiError ? err.type : 'InternalFailure';
    send(err instanceof ApiError ? 400 : 500, { __type: `com.amazonaws.sfn#${type}`, message: (err as Error).message }, type);
  }
}
