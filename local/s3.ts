import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { freePort } from './ports';

/** Credentials s3rver accepts; it does not verify signatures, but the SDK insists on signing. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3 {
  readonly endpoint: string;
  /** s3rver itself: an EventEmitter of S3-notification-shaped 'event's. */
  readonly server: S3rver;
  stop(): Promise<void>;
}

/**
 * Starts s3rver in this process on 127.0.0.1. Objects live in `directory` (kept) or in a temporary
 * directory removed on stop. Paginated listing needs Node's --openssl-legacy-provider (s3rver signs
 * continuation tokens with DES): `npm start` and `npm test` pass it.
 */
export async function startLocalS3(options: { port?: number; directory?: string } = {}): Promise<LocalS3> {
  const port = options.port ?? (await freePort());
  const temporary = options.directory === undefined;
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 's3-torrent-s3-'));
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({ port, address: '127.0.0.1', directory, silent: true, allowMismatchedSignatures: true });
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    server,
    async stop() {
      await server.close();
      if (temporary) rmSync(directory, { recursive: true, force: true });
    },
  };
}
