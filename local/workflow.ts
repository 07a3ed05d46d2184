import type { EventEmitter } from 'node:events';
import type { Logger } from '@aws-lambda-powertools/logger';
import { encodeNotificationKey } from '../lambdas/events/object-events';
import type { AwsClients } from '../lambdas/runtime/aws-clients';
import { workflowTaskDeps } from '../lambdas/workflow/deps';
import { makeWorkflowTasks } from '../lambdas/workflow/tasks';
import type { RetryPolicy } from '../lambdas/torrents/large-object-jobs';
import type { LocalS3 } from './s3';
import { LocalHashingWorkflow } from './step-functions';

export interface LocalWorkflowSettings {
  /** The Map's MaxConcurrency (HASH_MAX_CONCURRENCY on AWS); default 4 on this machine. */
  readonly maxConcurrency?: number;
  /** Overrides the chunk rule's 256 MiB minimum chunk size, to see the fan-out on smaller objects. */
  readonly minChunkBytes?: number;
  /** When failed jobs are tried again (see LargeObjectJobs). */
  readonly retry?: Partial<RetryPolicy>;
  /** Replaces the retry policy's waits (tests). */
  readonly retryIntervalMs?: number;
}

export const LOCAL_MAX_CONCURRENCY = 4;

/** The hashing workflow on this machine: the deployed definition, run in-process over the same task code. */
export function startLocalWorkflow(
  clients: AwsClients,
  names: { torrentTable: string; swarmTable: string; metadataBucket: string },
  settings: LocalWorkflowSettings,
  logger: Logger,
): LocalHashingWorkflow {
  const tasks = makeWorkflowTasks(
    workflowTaskDeps(
      clients,
      { torrentTable: names.torrentTable, metadataBucket: names.metadataBucket, swarmTable: names.swarmTable },
      { maxConcurrency: settings.maxConcurrency ?? LOCAL_MAX_CONCURRENCY, minChunkBytes: settings.minChunkBytes },
      logger,
    ),
  );
  return new LocalHashingWorkflow(tasks, { logger, retryIntervalMs: settings.retryIntervalMs });
}

export interface LocalEvents {
  /** Resolves when every event received so far has been handled. */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * Delivers the in-process s3rver's notifications to the events handler, as S3 would: one
 * invocation per event, keys URL-encoded (s3rver puts raw keys in its records).
 */
export function deliverS3Events(s3: LocalS3, handler: (event: unknown) => Promise<unknown>, logger: Logger): LocalEvents {
  const inFlight = new Set<Promise<unknown>>();
  const listener = (event: { Records?: { s3?: { object?: { key?: string } } }[] }) => {
    for (const record of event.Records ?? []) {
      if (record.s3?.object?.key !== undefined) record.s3.object.key = encodeNotificationKey(record.s3.object.key);
    }
    const delivery = handler(event)
      .catch((err: unknown) => logger.error('local S3 event handler failed', { error: err as Error }))
      .finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  };
  // s3rver is a Koa application, an EventEmitter its typings leave out.
  const emitter = s3.server as unknown as EventEmitter;
  emitter.on('event', listener);
  return {
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stop: () => void emitter.off('event', listener),
  };
}
