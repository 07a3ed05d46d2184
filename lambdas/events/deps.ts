import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbJobStore } from '../adapters/dynamodb-job-store';
import { DynamoDbTorrentCache } from '../adapters/dynamodb-torrent-cache';
import { DynamoDbTorrentRegistry } from '../adapters/dynamodb-torrent-registry';
import { S3ObjectStore } from '../adapters/s3-object-store';
import type { HashingWorkflow } from '../ports/hashing-workflow';
import type { AwsClients } from '../shared/aws-clients';
import { SourceAllowlist } from '../shared/sources';
import { LargeObjectJobs, type RetryPolicy } from '../torrents/large-object-jobs';
import { TorrentService } from '../torrents/torrent-service';
import type { EventsDeps } from './events';

export interface EventsSettings {
  readonly torrentTable: string;
  readonly swarmTable: string;
  readonly metadataBucket: string;
  readonly sources: string;
  readonly inlineHashLimit: number;
  /** Only objects here get events acted on (default: every object served). */
  readonly eventSources?: string;
}

/** Wires the events handler: the same torrent service `?torrent` uses, and the cache to evict from. */
export function eventsDeps(
  clients: AwsClients,
  settings: EventsSettings,
  logger: Logger,
  options: { workflow?: HashingWorkflow; retry?: Partial<RetryPolicy> } = {},
): EventsDeps {
  const store = new S3ObjectStore(clients.s3);
  const cache = new DynamoDbTorrentCache(clients.dynamoDb, settings.torrentTable, clients.s3, settings.metadataBucket);
  const registry = new DynamoDbTorrentRegistry(clients.dynamoDb, settings.swarmTable);
  const largeObjects =
    options.workflow &&
    new LargeObjectJobs({
      jobs: new DynamoDbJobStore(clients.dynamoDb, settings.torrentTable),
      workflow: options.workflow,
      cache,
      retry: options.retry,
    });
  return {
    service: new TorrentService({ store, cache, registry, inlineHashLimit: settings.inlineHashLimit, largeObjects }),
    store,
    cache,
    sources: SourceAllowlist.parse(settings.sources),
    eventSources: settings.eventSources === undefined ? undefined : SourceAllowlist.parse(settings.eventSources),
    logger,
  };
}
