import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients } from '../runtime/aws-clients';
import { LinkSigner } from '../security/signed-links';
import { SourceAllowlist } from '../config/sources';
import { torrentServiceDeps, type TorrentServiceSettings, type WorkflowOptions } from '../torrents/deps';
import type { EndpointDeps } from './endpoint';
import { folderServiceDeps } from '../folders/deps';

export interface EndpointSettings extends TorrentServiceSettings {
  readonly sources: string;
  readonly presignedUrlTtlSeconds: number;
  readonly privateWebSeedTtlSeconds: number;
  /** Key for signed links and announce tokens (at least 32 bytes). */
  readonly signingKey: Uint8Array;
  readonly publicBaseUrl?: string;
  readonly announceUrl?: string;
}

/** Wires the endpoint's adapters; used by the Lambda entry point and by the local server alike. */
export function endpointDeps(clients: AwsClients, settings: EndpointSettings, logger: Logger, options: WorkflowOptions = {}): EndpointDeps {
  const { service, jobs, store } = torrentServiceDeps(clients, settings, options);
  return {
    service,
    folders: folderServiceDeps(clients, settings).folders,
    jobs,
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
