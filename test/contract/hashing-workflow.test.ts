import { Logger } from '@aws-lambda-powertools/logger';
import { SWARM_TABLE_SCHEMA, TORRENT_TABLE_SCHEMA } from '../../lambdas/config/tables';
import { executionNameFor, inputFor, jobIdFor, type WorkflowInput } from '../../lambdas/ports/hashing-job';
import type { HashingWorkflow } from '../../lambdas/ports/hashing-workflow';
import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsHashingWorkflow } from '../../lambdas/adapters/step-functions-workflow';
import { startLocalStepFunctionsApi } from '../../local/step-functions-api';
import { startLocalWorkflow } from '../../local/workflow';
import { FakeWorkflow } from '../support/fakes';
import { portContract, portMethods, unique, type Fixture } from './support/contract';
import { standInWorld } from './support/stand-ins';

interface WorkflowWorld extends Fixture<HashingWorkflow> {
  /** Executions ever started. */
  executionCount(): number;
  /** Lets a started execution end: the local runner runs it to its end; the fake is told it failed. */
  end(name: string): Promise<void>;
}

/** A job whose object does not exist: the local runner's execution fails at "Plan chunks". */
function jobInput(): WorkflowInput {
  const key = unique('missing.bin');
  const jobId = jobIdFor('no-such-bucket-zz9', key, 'etag:"e"', 'v1');
  return inputFor({
    jobId,
    attempt: 1,
    executionName: executionNameFor(jobId, 1),
    bucket: 'no-such-bucket-zz9',
    key,
    identity: 'etag:"e"',
    etag: '"e"',
    size: 300 * 1024 * 1024,
    variant: 'v1',
  });
}

portContract<HashingWorkflow, WorkflowWorld>({
  port: 'HashingWorkflow',
  methods: portMethods<HashingWorkflow>()('start', 'describe'),
  targets: [
    {
      name: 'fake',
      setUp: () => {
        const workflow = new FakeWorkflow();
        return {
          port: workflow,
          executionCount: () => workflow.started.size,
          end: async (name) => void workflow.descriptions.set(name, { status: 'FAILED', error: 'NoSuchBucket', cause: 'gone' }),
        };
      },
    },
    {
      name: 'aws-local-stepfunctions on the stand-ins',
      setUp: async () => {
        const world = standInWorld('workflow');
        const [torrentTable, swarmTable, metadataBucket] = await Promise.all([
          world.table(TORRENT_TABLE_SCHEMA),
          world.table(SWARM_TABLE_SCHEMA),
          world.bucket(),
        ]);
        const workflow = startLocalWorkflow(
          world.clients,
          { torrentTable, swarmTable, metadataBucket },
          { maxConcurrency: 2, retryIntervalMs: 1 },
          new Logger({ logLevel: 'SILENT' }),
        );
        return {
          port: workflow,
          executionCount: () => workflow.executionNames.length,
          end: () => workflow.idle(),
          dispose: async () => {
            await workflow.stop();
            world.dispose();
          },
        };
      },
    },
    {
      // The SDK adapter, over the Step Functions API's wire format, against a stand-in of that API
      // answered by the same local runner.
      name: 'Step Functions API stand-in (SDK adapter)',
      setUp: async () => {
        const world = standInWorld('sfn-api');
        const [torrentTable, swarmTable, metadataBucket] = await Promise.all([
          world.table(TORRENT_TABLE_SCHEMA),
          world.table(SWARM_TABLE_SCHEMA),
          world.bucket(),
        ]);
        const local = startLocalWorkflow(
          world.clients,
          { torrentTable, swarmTable, metadataBucket },
          { maxConcurrency: 2, retryIntervalMs: 1 },
          new Logger({ logLevel: 'SILENT' }),
        );
        const api = await startLocalStepFunctionsApi(local);
        const sfn = new SFNClient({
          endpoint: api.endpoint,
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        });
        return {
          port: new StepFunctionsHashingWorkflow(sfn, api.stateMachineArn),
          executionCount: () => local.executionNames.length,
          end: () => local.idle(),
          dispose: async () => {
            sfn.destroy();
            await api.stop();
            await local.stop();
            world.dispose();
          },
        };
      },
    },
  ],
  tests: (world) => {
    it('knows no execution by a name never started', async () => {
      expect(await world().port.describe(executionNameFor(jobIdFor('b', unique('k'), 'etag:"e"', 'v1'), 1))).toBeUndefined();
    });

    it('starts one execution per name, however often it is started', async () => {
      const { port, executionCount } = world();
      const input = jobInput();
      const before = executionCount();
      await Promise.all([port.start(input.job.executionName, input), port.start(input.job.executionName, input)]);
      await port.start(input.job.executionName, input);
      expect(executionCount()).toBe(before + 1);
      expect(await port.describe(input.job.executionName)).toBeDefined();
    });

    it('finds an ended execution when its name is started again, and does not run it again', async () => {
      const { port, executionCount, end } = world();
      const input = jobInput();
      await port.start(input.job.executionName, input);
      await end(input.job.executionName);
      const ended = await port.describe(input.job.executionName);
      expect(ended).toMatchObject({ status: 'FAILED', error: expect.any(String) });
      const before = executionCount();
      await port.start(input.job.executionName, input);
      expect(executionCount()).toBe(before);
      expect(await port.describe(input.job.executionName)).toEqual(ended);
    });
  },
});
