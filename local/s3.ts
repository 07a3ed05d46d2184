import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import S3rver from 's3rver';
import { freePort } from './ports';
import { answerUnstorableKey } from './s3-key-limits';

/** Credentials s3rver accepts; it does not verify signatures, but the SDK insists on signing. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3 {
  readonly endpoint: string;
  /** s3rver itself: an EventEmitter of S3-notification-shaped 'event's. */
  readonly server: S3rver;
  stop(): Promise<void>;
  /** Removes a temporary directory at once, synchronously: for an exit that cannot wait for stop(). */
  discard(): void;
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
  guardKeyLimits(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    server,
    async stop() {
      // Idle keep-alive connections (the SDK's, a CLI's) would hold close() open.
      const closed = server.close();
      (server as unknown as { httpServer: Server }).httpServer.closeAllConnections();
      await closed;
      if (temporary) rmSync(directory, { recursive: true, force: true });
    },
    discard() {
      if (temporary) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Puts the key-length guard (see s3-key-limits.ts) in front of s3rver's request handler, so a key
 * it cannot store gets an S3 error instead of an exception that ends the process.
 */
function guardKeyLimits(server: S3rver): void {
  const http = (server as unknown as { httpServer: Server }).httpServer;
  const handlers = http.listeners('request') as ((...args: Parameters<typeof answerUnstorableKey>) => void)[];
  http.removeAllListeners('request');
  http.on('request', (req, res) => {
    if (!answerUnstorableKey(req, res)) for (const handler of handlers) handler(req, res);
  });
}
