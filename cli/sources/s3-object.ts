import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store';
import { torrentNameForKey } from '../../lambdas/core/torrent-name';
import { ServiceError } from '../../lambdas/http/errors';
import { hashObject } from '../../lambdas/torrents/hash-object';
import { inputError } from '../errors';
import type { DataSource, HashRequest } from './source';

export interface S3Settings {
  /** An S3-compatible endpoint (a local stand-in, MinIO...): addressed path-style. */
  readonly endpointUrl?: string;
  readonly region?: string;
}

/**
 * An object named `s3://bucket/key`, read with the SDK's default credential chain and region,
 * through the same object store and parallel ranged reads the Lambdas use.
 */
export async function openS3Object(url: string, settings: S3Settings): Promise<DataSource> {
  const { bucket, key } = parseS3Url(url);
  const s3 = s3ClientFor(settings);
  const store = new S3ObjectStore(s3);
  const head = await store.head(bucket, key).catch((err: unknown) => {
    throw inputError(`cannot read ${url}: ${describe(err)}`);
  });
  return {
    label: url,
    name: torrentNameForKey(key),
    size: head.size,
    async hash(request: HashRequest) {
      try {
        return await hashObject(store, head, request.pieceLength, request.format, undefined, {
          concurrency: request.threads,
          onProgress: (p) => request.onProgress?.(p.bytesHashed),
        });
      } catch (err) {
        throw inputError(`cannot read ${url}: ${describe(err)}`);
      } finally {
        s3.destroy();
      }
    },
  };
}

/** An S3 client with the SDK's default credentials and region, or the endpoint and region given. */
export function s3ClientFor(settings: S3Settings): S3Client {
  return new S3Client({
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.endpointUrl ? { endpoint: settings.endpointUrl, forcePathStyle: true } : {}),
    followRegionRedirects: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw inputError(`${url} is not an s3://bucket/key URL`);
  return { bucket: match[1] as string, key: match[2] as string };
}

function describe(err: unknown): string {
  if (err instanceof ServiceError) return err.message;
  const message = (err as Error).message ?? String(err);
  if (/region is missing/i.test(message)) return 'no AWS region is configured (set AWS_REGION or pass --region)';
  if (/credential/i.test(message)) return `no usable AWS credentials (${message})`;
  return message;
}
