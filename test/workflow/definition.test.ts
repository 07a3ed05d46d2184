import aslValidator from 'asl-validator';
import { MAX_CHUNKS, MAX_OBJECT_BYTES, planChunks } from '../../lambdas/core/chunk-plan';
import { pieceLengthFor } from '../../lambdas/core/piece-length';
import {
  FUNCTION_TIMEOUT_SECONDS,
  hashingWorkflowDefinition,
  placeholderFunctionArns,
  RETRY_TRANSIENT_ERRORS,
  STATE,
  substituteDefinition,
  WORKFLOW_FUNCTIONS,
} from '../../lambdas/workflow/definition';
import { executionNameFor, inputFor, jobIdFor } from '../../lambdas/ports/hashing-job';
import { type PlannedState } from '../../lambdas/workflow/state';

import { LOCAL_FUNCTION_ARNS, localWorkflowDefinition, taskHandlersByStateName } from '../../local/step-functions';
import type { WorkflowTasks } from '../../lambdas/workflow/tasks';

type State = Record<string, unknown> & { Type: string };
const definition = localWorkflowDefinition();
const states = definition.States as Record<string, State>;
const map = states[STATE.HASH_CHUNKS] as State & { ItemProcessor: { States: Record<string, State> } };
const hashChunk = map.ItemProcessor.States[STATE.HASH_CHUNK] as State;
const tasks = [states[STATE.PLAN_CHUNKS], hashChunk, states[STATE.ASSEMBLE_TORRENT], states[STATE.RECORD_FAILURE]] as State[];

describe('the hashing workflow definition', () => {
  it('is valid Amazon States Language', () => {
    // The validator annotates what it is given: validate a copy.
    const result = aslValidator(structuredClone(definition));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('reads like sentences: plan, hash chunks, assemble, or record the failure', () => {
    expect(definition.StartAt).toBe('Plan chunks');
    expect(Object.keys(states)).toEqual(['Plan chunks', 'Hash chunks', 'Assemble torrent', 'Record failure', 'Job failed']);
    expect(states['Plan chunks']!.Next).toBe('Hash chunks');
    expect(states['Hash chunks']!.Next).toBe('Assemble torrent');
    expect(states['Assemble torrent']!.End).toBe(true);
    expect(states['Record failure']!.Next).toBe('Job failed');
    expect(states['Job failed']).toMatchObject({ Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.failure.Cause' });
  });

  it('fans the chunks out in a distributed map with the planned concurrency, keeping only small results', () => {
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.chunks',
      ItemSelector: { 'job.$': '$.job', 'plan.$': '$.plan', 'chunk.$': '$$.Map.Item.Value' },
      MaxConcurrencyPath: '$.plan.maxConcurrency',
      ResultPath: null,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Hash chunk' },
    });
    expect(map).not.toHaveProperty('ToleratedFailurePercentage');
  });

  it('retries every task with the one transient-error policy, never an identity mismatch', () => {
    for (const task of tasks) {
      expect(task.Retry).toEqual([RETRY_TRANSIENT_ERRORS]);
    }
    expect(RETRY_TRANSIENT_ERRORS.ErrorEquals).toEqual(
      expect.arrayContaining(['Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'TransientError']),
    );
    expect(RETRY_TRANSIENT_ERRORS.ErrorEquals).not.toContain('States.ALL');
    expect(RETRY_TRANSIENT_ERRORS.ErrorEquals).not.toContain('ObjectChangedError');
    expect(RETRY_TRANSIENT_ERRORS).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
  });

  it('routes any failure of planning, hashing or assembling to "Record failure" with the error at $.failure', () => {
    for (const name of [STATE.PLAN_CHUNKS, STATE.HASH_CHUNKS, STATE.ASSEMBLE_TORRENT]) {
      expect(states[name]!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Record failure' }]);
    }
    expect(states[STATE.RECORD_FAILURE]).toMatchObject({
      Parameters: { 'job.$': '$.job', 'failure.$': '$.failure' },
      ResultPath: '$.failure',
    });
  });

  it('gives each task more time than its Lambda function has', () => {
    const byFunction = Object.fromEntries(Object.entries(LOCAL_FUNCTION_ARNS).map(([fn, arn]) => [arn, fn])) as Record<
      string,
      keyof typeof FUNCTION_TIMEOUT_SECONDS
    >;
    for (const task of tasks) {
      const fn = byFunction[String(task.Resource)]!;
      expect(task.TimeoutSeconds).toBeGreaterThan(FUNCTION_TIMEOUT_SECONDS[fn]);
    }
    expect(FUNCTION_TIMEOUT_SECONDS.hashChunk).toBeLessThanOrEqual(900);
  });

  it('carries the largest chunk list well inside the 256 KiB state payload limit', () => {
    const size = MAX_OBJECT_BYTES;
    const plan = planChunks(size, pieceLengthFor(size));
    expect(plan.chunkCount).toBe(MAX_CHUNKS);
    const jobId = jobIdFor(
      'a-bucket-name-of-sixty-three-characters-is-the-longest-allowed',
      'k'.repeat(1024),
      `version:${'v'.repeat(1024)}`,
      'v1',
    );
    const { job } = inputFor({
      jobId,
      attempt: 3,
      executionName: executionNameFor(jobId, 3),
      bucket: 'b'.repeat(63),
      key: 'k'.repeat(1024),
      identity: `version:${'v'.repeat(1024)}`,
      etag: `"${'e'.repeat(40)}"`,
      versionId: 'v'.repeat(1024),
      size,
      variant: 'v1',
    });
    const planned: PlannedState = {
      job,
      plan: { ...plan, maxConcurrency: 10_000 },
      chunks: Array.from({ length: plan.chunkCount }, (_, i) => i),
    };
    expect(Buffer.byteLength(JSON.stringify(planned))).toBeLessThan(64 * 1024);
    // The map's results (one `{}` per chunk) would fit too, were they kept.
    expect(JSON.stringify(Array.from({ length: MAX_CHUNKS }, () => ({}))).length).toBeLessThan(256 * 1024);
  });

  it('has CloudFormation placeholders that substitute into the local definition', () => {
    const withPlaceholders = JSON.stringify(hashingWorkflowDefinition(placeholderFunctionArns()));
    expect(withPlaceholders).toContain('${HashChunkFunctionArn}');
    const substitutions = Object.fromEntries(
      Object.entries(WORKFLOW_FUNCTIONS).map(([fn, placeholder]) => [
        placeholder,
        LOCAL_FUNCTION_ARNS[fn as keyof typeof WORKFLOW_FUNCTIONS],
      ]),
    );
    expect(JSON.parse(substituteDefinition(withPlaceholders, substitutions))).toEqual(definition);
  });

  it('maps each Task of the local run to the task its function runs, by resource ARN', () => {
    const calls: string[] = [];
    const fake = Object.fromEntries(
      Object.keys(WORKFLOW_FUNCTIONS).map((fn) => [fn, async () => (calls.push(fn), {})]),
    ) as unknown as WorkflowTasks;
    const handlers = taskHandlersByStateName(definition, fake);
    expect(Object.keys(handlers).sort()).toEqual(['Assemble torrent', 'Hash chunk', 'Plan chunks', 'Record failure']);
    return Promise.all(Object.entries(handlers).map(([, h]) => h({}))).then(() => {
      expect(calls.sort()).toEqual(['assembleTorrent', 'hashChunk', 'planChunks', 'recordFailure']);
      const wrong = hashingWorkflowDefinition({
        ...LOCAL_FUNCTION_ARNS,
        hashChunk: 'arn:aws:lambda:us-east-1:000000000000:function:other',
      });
      expect(() => taskHandlersByStateName(wrong, fake)).toThrow(/no local function/);
    });
  });

  it('names executions within Step Functions limits', () => {
    const name = executionNameFor(jobIdFor('b', 'k', 'etag:"x"', 'v1'), 12);
    expect(name).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
    expect(() => executionNameFor('not-a-job', 1)).toThrow(RangeError);
  });
});
