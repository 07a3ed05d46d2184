import type { Logger } from '@aws-lambda-powertools/logger';
import type { ObjectStore } from '../ports/object-store';
import type { TorrentCache } from '../ports/torrent-cache';
import { ServiceError } from '../http/errors';
import type { SourceAllowlist } from '../config/sources';
import type { TorrentService } from '../torrents/torrent-service';
import { objectEvents, type ObjectEvent } from './object-events';
import { keepFoldersCurrent, type FolderEventsDeps, type FolderRebuild } from '../folders/folder-events';

export interface EventsDeps {
  readonly service: TorrentService;
  readonly store: ObjectStore;
  readonly cache: TorrentCache;
  /** What the service serves: events for other objects are ignored. */
  readonly sources: SourceAllowlist;
  /** Where events should act, when not every served object's (locally; on AWS the EventBridge rules filter). */
  readonly eventSources?: SourceAllowlist;
  readonly logger: Logger;
  /** Keeps the torrents of known folders above a changed key current (see folders/folder-events.ts). */
  readonly folders?: FolderEventsDeps;
}

export type EventOutcome =
  | { readonly event: ObjectEvent; readonly outcome: 'built' | 'cached' | 'building' | 'not-served' | 'kept' }
  | { readonly event: ObjectEvent; readonly outcome: 'job'; readonly jobId: string; readonly state: string }
  | { readonly event: ObjectEvent; readonly outcome: 'skipped'; readonly reason: string }
  | { readonly event: ObjectEvent; readonly outcome: 'evicted'; readonly entries: number }
  | { readonly event: ObjectEvent; readonly outcome: 'folder'; readonly folder: FolderRebuild };

/**
 * Pre-builds torrents when objects are created and evicts them when objects are removed, so the
 * first `?torrent` after an upload is a cache hit (or finds the hashing job already running).
 *
 * - Created: the same path as `?torrent` (inline up to the limit, else the workflow). An object
 *   that is gone, empty, unnamed or changed again by the time the event arrives is skipped: a
 *   later event or request takes care of it. Other failures throw, so the delivery is retried.
 * - Removed: evicts every cached torrent of the key, unless the key exists again by the time the
 *   event arrives (events can be late or out of order); the new object's torrent is keyed by its
 *   own identity and a stale one is never served anyway.
 */
export function makeEventsHandler(deps: EventsDeps) {
  return async (event: unknown): Promise<EventOutcome[]> => {
    const outcomes: EventOutcome[] = [];
    const failures: unknown[] = [];
    for (const e of objectEvents(event)) {
      try {
        const outcome = e.kind === 'created' ? await created(deps, e) : await removed(deps, e);
        deps.logger.info('object event', { ...outcome });
        outcomes.push(outcome);
        if (deps.folders !== undefined && outcome.outcome !== 'not-served') {
          for (const folder of await keepFoldersCurrent(deps.folders, e.bucket, e.key, outcome.outcome === 'evicted')) {
            deps.logger.info('folder torrent', { event: e, ...folder });
            outcomes.push({ event: e, outcome: 'folder', folder });
          }
        }
      } catch (err) {
        deps.logger.error('object event failed', { event: e, error: err as Error });
        failures.push(err);
      }
    }
    if (failures.length > 0) throw failures[0];
    return outcomes;
  };
}

async function created(deps: EventsDeps, event: ObjectEvent): Promise<EventOutcome> {
  const access = deps.sources.accessFor(event.bucket, event.key);
  const wanted = access !== undefined && (deps.eventSources?.allows(event.bucket, event.key) ?? true);
  if (!wanted) return { event, outcome: 'not-served' };
  try {
    // The torrent requests will ask for: private sources get private (BEP 27) torrents.
    const found = await deps.service.torrentFor(event.bucket, event.key, { private: access === 'private' });
    if ('job' in found) return { event, outcome: 'job', jobId: found.job.jobId, state: found.job.state };
    // A request is building it (and will publish it): nothing left for the event to do.
    if ('inProgress' in found) return { event, outcome: 'building' };
    return { event, outcome: found.cached ? 'cached' : 'built' };
  } catch (err) {
    // Answers about the object, not failures of ours: nothing to build now.
    if (err instanceof ServiceError && [404, 409, 413, 422].includes(err.status)) return { event, outcome: 'skipped', reason: err.code };
    throw err;
  }
}

async function removed(deps: EventsDeps, event: ObjectEvent): Promise<EventOutcome> {
  try {
    await deps.store.head(event.bucket, event.key);
    return { event, outcome: 'kept' };
  } catch (err) {
    if (!(err instanceof ServiceError && err.status === 404)) throw err;
  }
  return { event, outcome: 'evicted', entries: await deps.cache.evictObject(event.bucket, event.key) };
}
