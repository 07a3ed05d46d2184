import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '../runtime/observability';
import type { EventOutcome } from './events';

const NAMES: Partial<Record<EventOutcome['outcome'], string>> = {
  built: 'TorrentsPrebuilt',
  job: 'PrebuildJobsStarted',
  skipped: 'ObjectEventsSkipped',
  evicted: 'TorrentsEvicted',
};

/** One count per outcome worth watching; evictions count the cache entries dropped. */
export function recordEventMetrics(metrics: Metrics, _input: unknown, outcomes: readonly EventOutcome[]): void {
  for (const o of outcomes) {
    if (o.outcome === 'folder') {
      if (o.folder.result === 'rebuilt') metrics.addMetric('FolderTorrentsRebuilt', MetricUnit.Count, 1);
      continue;
    }
    const name = NAMES[o.outcome];
    if (name !== undefined) metrics.addMetric(name, MetricUnit.Count, o.outcome === 'evicted' ? o.entries : 1);
  }
}
