import type { Metrics } from '@aws-lambda-powertools/metrics';
import { chunkRange } from '../core/chunk-plan';
import { MetricUnit } from '../runtime/observability';
import type { ChunkTaskInput, PlannedState } from './state';

/** What each workflow task adds to the `s3-torrent` namespace when it succeeds. */
export const workflowMetrics = {
  planChunks: (metrics: Metrics, _input: unknown, output: PlannedState) => {
    metrics.addMetric('HashingJobsPlanned', MetricUnit.Count, 1);
    metrics.addMetric('ChunksPlanned', MetricUnit.Count, output.chunks.length);
  },
  hashChunk: (metrics: Metrics, input: ChunkTaskInput) => {
    const range = chunkRange(input.plan, input.chunk);
    metrics.addMetric('ChunksHashed', MetricUnit.Count, 1);
    metrics.addMetric('BytesHashed', MetricUnit.Bytes, range.end - range.start);
  },
  assembleTorrent: (metrics: Metrics) => metrics.addMetric('TorrentsAssembled', MetricUnit.Count, 1),
  recordFailure: (metrics: Metrics) => metrics.addMetric('HashingJobsFailed', MetricUnit.Count, 1),
};
