import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients } from '../runtime/aws-clients';
import { SourceAllowlist } from '../config/sources';
import { torrentServiceDeps, type TorrentServiceSettings, type ServiceOptions } from '../torrents/deps';
import type { EventsDeps } from './events';
import { folderServiceDeps } from '../folders/deps';

export interface EventsSettings extends TorrentServiceSettings {
  readonly sources: string;
  /** Only objects here get events acted on (default: every object served). */
  readonly eventSources?: string;
}

/** Wires the events handler: the same torrent service `?torrent` uses, and the cache to evict from. */
export function eventsDeps(clients: AwsClients, settings: EventsSettings, logger: Logger, options: ServiceOptions = {}): EventsDeps {
  const { service, store, cache, jobs } = torrentServiceDeps(clients, settings, options);
  const sources = SourceAllowlist.parse(settings.sources);
  const { folders, hashes, known } = folderServiceDeps(clients, settings, {
    jobs,
    leaseSettings: options.leaseSettings,
    clock: options.clock,
  });
  return {
    service,
    store,
    cache,
    sources,
    eventSources: settings.eventSources === undefined ? undefined : SourceAllowlist.parse(settings.eventSources),
    logger,
    folders: { folders, store, hashes, known, sources, logger },
  };
}
