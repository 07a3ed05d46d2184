import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbTorrentCache } from '../adapters/dynamodb-torrent-cache';
import { DynamoDbTorrentRegistry } from '../adapters/dynamodb-torrent-registry';
import { S3ObjectStore } from '../adapters/s3-object-store';
import type { AwsClients } from '../shared/aws-clients';
import { LinkSigner } from '../shared/signed-links';
import { SourceAllowlist } from '../shared/sources';
import { TorrentService } from '../torrents/torrent-service';
import type { EndpointDeps } from './endpoint';

export interface EndpointSettings {
  readonly torrentTable: string;
  readonly swarmTable: string;
  readonly metadataBucket: string;
  readonly sources: string;
  readonly inlineHashLimit: number;
  readonly presignedUrlTtlSeconds: number;
  readonly privateWebSeedTtlSeconds: number;
  /** Key for signed links and announce tokens (at least 32 bytes). */
  readonly signingKey: Uint8Array;
  readonly publicBaseUrl?: string;
  readonly announceUrl?: string;
}

/** Wires the endpoint's adapters; used by the Lambda entry point and by the local server alike. */
export function endpointDeps(clients: AwsClients, settings: EndpointSettings, logger: Logger): EndpointDeps {
  const store = new S3ObjectStore(clients.s3);
  const cache = new DynamoDbTorrentCache(clients.dynamoDb, settings.torrentTable, clients.s3, settings.metadataBucket);
  const registry = new DynamoDbTorrentRegistry(clients.dynamoDb, settings.swarmTable);
  return {
    service: new TorrentService({ store, cache, registry, inlineHashLimit: settings.inlineHashLimit }),
    store,
    sources: SourceAllowlist.parse(settings.sources),
    presignedUrlTtlSeconds: settings.presignedUrlTtlSeconds,
    privateWebSeedTtlSeconds: settings.privateWebSeedTtlSeconds,
    signer: new LinkSigner(settings.signingKey),
    publicBaseUrl: settings.publicBaseUrl,
    announceUrl: settings.announceUrl,
    logger,
  };
}
