import type { TorrentFormat } from '../core/build-info';
import type { WebSeedMode } from '../config/env';
import type { AccessMode } from '../config/sources';
import { encodeKeyPath, WEBSEED_PREFIX, WEBSEED_VERSION_PREFIX } from '../http/routes';
import type { ObjectStore } from '../ports/object-store';
import { signCloudFrontUrl, type CloudFrontSigningKey } from '../security/cloudfront-url-signer';
import type { LinkSigner } from '../security/signed-links';
import { privateObjectPath, publicObjectPath } from './cloudfront-paths';
import type { Ticket } from '../core/gate/ticket';

export interface WebSeedObject {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly access: AccessMode;
}

export interface TorrentWebSeedObject extends WebSeedObject {
  /** The torrent's name (the last segment of the key). */
  readonly name: string;
  readonly format: TorrentFormat;
  /** The swarm-aware gate's ticket for this answer (public objects in CloudFront mode). */
  readonly ticket?: Ticket;
}

/** Where web seeds and redirects point (see WebSeedMode). */
export interface WebSeeds {
  readonly mode: WebSeedMode;
  /** The `url-list` entry of a torrent; `apiBase` is the API's public base URL for this request. */
  torrentWebSeed(object: TorrentWebSeedObject, apiBase: string, now: Date): Promise<string>;
  /** Where the front door and the API's web-seed route send an authorized client (for a GET or a HEAD). */
  objectLocation(object: WebSeedObject, now: Date, method?: 'GET' | 'HEAD'): Promise<string>;
}

const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * What a public web seed names: the object, or for a v2-only torrent the directory holding it,
 * ending in `/`. libtorrent 2.0 gives a single-file v2 torrent a tail padding file, takes it for a
 * multi-file torrent and appends the file name to any web seed URL; BEP 19 clients append the name
 * to a URL ending in `/` too. Either way the request names the object.
 */
export function publicWebSeedKey(object: TorrentWebSeedObject): { key: string; asDirectory: boolean } {
  const directory = object.key.slice(0, object.key.length - object.name.length);
  const asDirectory = object.format === 'v2' && object.key.endsWith(object.name) && (directory === '' || directory.endsWith('/'));
  return asDirectory ? { key: directory, asDirectory } : { key: object.key, asDirectory };
}

export interface PresignedWebSeedSettings {
  readonly store: ObjectStore;
  readonly signer: LinkSigner;
  readonly presignedUrlTtlSeconds: number;
  readonly privateWebSeedTtlSeconds: number;
}

/** Web seeds on the API that redirect to presigned S3 URLs (no CloudFront). */
export class PresignedWebSeeds implements WebSeeds {
  readonly mode = 'presigned';

  constructor(private readonly settings: PresignedWebSeedSettings) {}

  async torrentWebSeed(object: TorrentWebSeedObject, apiBase: string, now: Date): Promise<string> {
    const objectPath = `${apiBase}${WEBSEED_PREFIX}/${object.bucket}/${encodeKeyPath(object.key)}`;
    if (object.access === 'private') {
      // Clients cannot sign requests: the web seed carries its own signed link, pinned to the version.
      const expires = unixSeconds(now) + this.settings.privateWebSeedTtlSeconds;
      const target = { purpose: 'webseed' as const, bucket: object.bucket, key: object.key, versionId: object.versionId };
      return `${objectPath}?${this.settings.signer.signedParams(target, expires)}`;
    }
    const { key, asDirectory } = publicWebSeedKey(object);
    if (!asDirectory) return objectPath + (object.versionId !== undefined ? `?versionId=${encodeURIComponent(object.versionId)}` : '');
    // A query string would end up before the name clients append: the version goes in the path.
    const prefix = object.versionId !== undefined ? `${WEBSEED_VERSION_PREFIX}/${encodeURIComponent(object.versionId)}` : WEBSEED_PREFIX;
    return `${apiBase}${prefix}/${object.bucket}/${encodeKeyPath(key)}`;
  }

  objectLocation(object: WebSeedObject, _now: Date, method: 'GET' | 'HEAD' = 'GET'): Promise<string> {
    // An S3 signature covers the method: a HEAD gets a URL presigned for HEAD.
    return this.settings.store.presignGet(object.bucket, object.key, {
      versionId: object.versionId,
      method,
      expiresInSeconds: this.settings.presignedUrlTtlSeconds,
    });
  }
}

export interface CloudFrontWebSeedSettings {
  /** The distribution's URL, e.g. `https://d1234.cloudfront.net` (or the local gateway's). */
  readonly baseUrl: string;
  /** The key that signs private objects' URLs (read from Secrets Manager, cached). */
  readonly signingKey: () => Promise<CloudFrontSigningKey>;
  /** Lifetime of a private object's web seed in a torrent. */
  readonly privateWebSeedTtlSeconds: number;
  /** Lifetime of the signed URL a private object's front door redirects to. */
  readonly redirectTtlSeconds: number;
}

/** Web seeds on the CloudFront distribution. */
export class CloudFrontWebSeeds implements WebSeeds {
  readonly mode = 'cloudfront';
  private readonly baseUrl: string;

  constructor(private readonly settings: CloudFrontWebSeedSettings) {
    this.baseUrl = settings.baseUrl.replace(/\/+$/, '');
  }

  torrentWebSeed(object: TorrentWebSeedObject, _apiBase: string, now: Date): Promise<string> {
    if (object.access === 'private') return this.signedUrl(object, unixSeconds(now) + this.settings.privateWebSeedTtlSeconds);
    return Promise.resolve(`${this.baseUrl}${publicObjectPath({ ...object, key: publicWebSeedKey(object).key, ticket: object.ticket })}`);
  }

  /** The same URL for GET and HEAD: a CloudFront signed URL does not cover the method. */
  objectLocation(object: WebSeedObject, now: Date): Promise<string> {
    if (object.access === 'private') return this.signedUrl(object, unixSeconds(now) + this.settings.redirectTtlSeconds);
    return Promise.resolve(`${this.baseUrl}${publicObjectPath(object)}`);
  }

  private async signedUrl(object: WebSeedObject, expires: number): Promise<string> {
    return signCloudFrontUrl(`${this.baseUrl}${privateObjectPath(object)}`, await this.settings.signingKey(), expires);
  }
}
