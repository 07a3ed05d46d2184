import type { Logger } from '@aws-lambda-powertools/logger';
import type { ObjectStore } from '../ports/object-store';
import type { AwsClients } from '../runtime/aws-clients';
import type { CloudFrontSigningKey } from '../security/cloudfront-url-signer';
import { LinkSigner } from '../security/signed-links';
import { SourceAllowlist } from '../config/sources';
import { torrentServiceDeps, type TorrentServiceSettings, type ServiceOptions } from '../torrents/deps';
import { CloudFrontWebSeeds, PresignedWebSeeds, type WebSeeds } from '../web-seeds/web-seeds';
import type { EndpointDeps } from './endpoint';
import { webSeedGate, type GateSettings } from '../gate/deps';
import { folderServiceDeps } from '../folders/deps';

export interface EndpointSettings extends TorrentServiceSettings {
  readonly sources: string;
  /** Lifetime of the URLs redirects point to (presigned S3 URLs, or signed CloudFront URLs of private objects). */
  readonly presignedUrlTtlSeconds: number;
  /** Lifetime of a private object's web seed in its torrent. */
  readonly privateWebSeedTtlSeconds: number;
  /** Web seeds on this CloudFront distribution (or the local gateway); presigned S3 redirects when unset. */
  readonly cloudFront?: CloudFrontWebSeedSource;
  /** Key for signed links and announce tokens (at least 32 bytes). */
  readonly signingKey: Uint8Array;
  readonly publicBaseUrl?: string;
  readonly announceUrl?: string;
  /** The swarm-aware web seed; needs cloudFront. */
  readonly gate?: GateSettings;
  readonly gateMinBytes?: number;
}

export interface CloudFrontWebSeedSource {
  /** `https://<distribution domain>`. */
  readonly baseUrl: string;
  readonly signingKey: () => Promise<CloudFrontSigningKey>;
}

/** Wires the endpoint's adapters; used by the Lambda entry point and by the local server alike. */
export function endpointDeps(clients: AwsClients, settings: EndpointSettings, logger: Logger, options: ServiceOptions = {}): EndpointDeps {
  const { service, jobs, store } = torrentServiceDeps(clients, settings, options);
  const signer = new LinkSigner(settings.signingKey);
  return {
    service,
    folders: {
      service: folderServiceDeps(clients, settings, { jobs, leaseSettings: options.leaseSettings, clock: options.clock }).folders,
      privateWebSeedTtlSeconds: settings.privateWebSeedTtlSeconds,
    },
    jobs,
    store,
    sources: SourceAllowlist.parse(settings.sources),
    signer,
    webSeeds: webSeedsFor(settings, store, signer),
    publicBaseUrl: settings.publicBaseUrl,
    announceUrl: settings.announceUrl,
    // Only CloudFront web seeds can be gated: a presigned redirect is followed once and kept.
    gate: settings.gate && settings.cloudFront !== undefined ? webSeedGate(clients, settings.gate) : undefined,
    gateMinBytes: settings.gateMinBytes,
    logger,
  };
}

function webSeedsFor(settings: EndpointSettings, store: ObjectStore, signer: LinkSigner): WebSeeds {
  if (settings.cloudFront === undefined) {
    return new PresignedWebSeeds({
      store,
      signer,
      presignedUrlTtlSeconds: settings.presignedUrlTtlSeconds,
      privateWebSeedTtlSeconds: settings.privateWebSeedTtlSeconds,
    });
  }
  return new CloudFrontWebSeeds({
    ...settings.cloudFront,
    privateWebSeedTtlSeconds: settings.privateWebSeedTtlSeconds,
    redirectTtlSeconds: settings.presignedUrlTtlSeconds,
  });
}
