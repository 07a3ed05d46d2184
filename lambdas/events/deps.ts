import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients } from '../runtime/aws-clients';
import { SourceAllowlist } from '../config/sources';
import { torrentServiceDeps, type TorrentServiceSettings, type ServiceOptions } from '../torrents/deps';
import type { EventsDeps } from './events';

export interface EventsSettings extends TorrentServiceSettings {
  readonly sources: string;
  /** Only objects here get events acted on (default: every object served). */
  readonly eventSources?: string;
}

/** Wires the events handler: the same torrent service `?torrent` uses, and the cache to evict from. */
export function eventsDeps(clients: AwsClients, settings: EventsSettings, logger: Logger, options: ServiceOptions = {}): EventsDeps {
  const { service, store, cache } = torrentServiceDeps(clients, settings, options);
  return {
    service,
    store,
    cache,
    sources: SourceAllowlist.parse(settings.sources),
    eventSources: settings.eventSources === undefined ? undefined : SourceAllowlist.parse(settings.eventSources),
    logger,
  };
}
