import type { Metrics } from '@aws-lambda-powertools/metrics';
import { recordEventMetrics } from '../../lambdas/events/metrics';
import type { EventOutcome } from '../../lambdas/events/events';
import { planChunks } from '../../lambdas/core/chunk-plan';
import { workflowMetrics } from '../../lambdas/workflow/metrics';
import type { ChunkTaskInput, PlannedState } from '../../lambdas/workflow/state';

function collect(fill: (m: Metrics) => void): [string, number][] {
  const out: [string, number][] = [];
  fill({ addMetric: (name: string, _unit: unknown, value: number) => out.push([name, value]) } as unknown as Metrics);
  return out;
}

describe('workflow task metrics', () => {
  const plan = { ...planChunks(600 * 1024 * 1024, 256 * 1024), maxConcurrency: 4 };

  it('counts planned jobs and chunks', () => {
    const state = { plan, chunks: [0, 1, 2] } as unknown as PlannedState;
    expect(collect((m) => workflowMetrics.planChunks(m, {}, state))).toEqual([
      ['HashingJobsPlanned', 1],
      ['ChunksPlanned', 3],
    ]);
  });

  it('counts the bytes of the chunk hashed (the last one is shorter)', () => {
    const last = { plan, chunk: plan.chunkCount - 1 } as unknown as ChunkTaskInput;
    expect(collect((m) => workflowMetrics.hashChunk(m, last))).toEqual([
      ['ChunksHashed', 1],
      ['BytesHashed', plan.size - plan.chunkBytes * (plan.chunkCount - 1)],
    ]);
  });
});

describe('S3 event metrics', () => {
  it('counts what the events did', () => {
    const event = { kind: 'created', bucket: 'b', key: 'k' } as never;
    const outcomes: EventOutcome[] = [
      { event, outcome: 'built' },
      { event, outcome: 'cached' },
      { event, outcome: 'job', jobId: 'j', state: 'RUNNING' },
      { event, outcome: 'evicted', entries: 3 },
      { event, outcome: 'skipped', reason: 'EmptyObject' },
    ];
    expect(collect((m) => recordEventMetrics(m, {}, outcomes))).toEqual([
      ['TorrentsPrebuilt', 1],
      ['PrebuildJobsStarted', 1],
      ['TorrentsEvicted', 3],
      ['ObjectEventsSkipped', 1],
    ]);
  });
});
