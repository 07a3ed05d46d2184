/**
 * `npm start`: the whole service on this machine (S3 and DynamoDB stand-ins, tables, the HTTP API
 * and the same Lambda handlers `cdk deploy` ships). Ctrl-C, SIGINT, SIGTERM or SIGHUP stop everything
 * it started; a second signal, or a stop that takes over STOP_DEADLINE_MS, ends it at once. The
 * package.json script `exec`s node, so npm signals node itself rather than a shell that ignores them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { startLocalService } from '../local/local-service';
import { LOCAL_CREDENTIALS } from '../local/s3';
import { SERVICE_PID_FILE, writePidFile } from '../local/stale-runs';

// The deployed Lambdas run on Node 22; locally (and in CI) the supported Node is 20, which the SDK
// says it will stop supporting in January 2027 (docs/node-versions.md). Its notice is not news here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** How long an orderly stop may take before the process ends anyway (DynamoDB Local dies with it). */
const STOP_DEADLINE_MS = 10_000;
const DUPLICATE_SIGNAL_MS = 1_000;

const USAGE = `Usage: npm start -- [options]   (each option also reads an environment variable)
  --port N              HTTP API port                      (PORT, default 3000)
  --s3-port N           local S3 port                      (S3_PORT, default 4569)
  --s3-endpoint URL     use this running S3 instead of starting one (S3_ENDPOINT; no --events then)
  --dynamodb-port N     DynamoDB Local port                (DYNAMODB_PORT, default 8000)
  --data-dir DIR        where objects and tables persist   (DATA_DIR, default .local)
  --memory              keep nothing: temporary S3 directory, in-memory DynamoDB
  --sources LIST        allowed sources: * or [private:]bucket[/prefix],...   (SOURCE_BUCKETS, default *)
  --bucket NAME         a bucket to create at start        (BUCKET, default demo)
  --inline-limit BYTES  largest object hashed per request  (INLINE_HASH_LIMIT_BYTES, default 268435456)
  --public-url URL      base URL written into torrents     (PUBLIC_BASE_URL, default http://127.0.0.1:PORT)
  --announce-interval S tracker announce interval, seconds (ANNOUNCE_INTERVAL_SECONDS, default 1800)
  --events LIST         pre-build torrents on upload, evict on delete: * or bucket[/prefix],...   (EVENT_SOURCES, default off)
  --hash-concurrency N  chunks a hashing job hashes at once (HASH_MAX_CONCURRENCY, default 4)
  --min-chunk BYTES     smallest workflow chunk             (HASH_MIN_CHUNK_BYTES, default 268435456)
  --log-level LEVEL     DEBUG, INFO, WARN, ERROR, SILENT   (LOG_LEVEL, default WARN)
  --web-seed MODE       gateway: web seeds on the local CloudFront stand-in; redirect: presigned S3 redirects
                                                           (WEB_SEED, default gateway)
  --gateway-port N      the web-seed gateway's port        (GATEWAY_PORT, default 3001)
  --gate on|off         the swarm-aware web seed           (WEB_SEED_GATE, default on; gateway mode only)
  --gate-feeds N        downloaders S3 serves at once while seeders are short   (WEB_SEED_GATE_FEEDS, default 1)
  --gate-seeders N      seeders from which newcomers are parked                 (WEB_SEED_GATE_SEEDERS, default 1)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      's3-port': { type: 'string' },
      's3-endpoint': { type: 'string' },
      'dynamodb-port': { type: 'string' },
      'data-dir': { type: 'string' },
      memory: { type: 'boolean' },
      sources: { type: 'string' },
      bucket: { type: 'string' },
      'inline-limit': { type: 'string' },
      'public-url': { type: 'string' },
      'announce-interval': { type: 'string' },
      events: { type: 'string' },
      'hash-concurrency': { type: 'string' },
      'min-chunk': { type: 'string' },
      'log-level': { type: 'string' },
      'web-seed': { type: 'string' },
      'gateway-port': { type: 'string' },
      gate: { type: 'string' },
      'gate-feeds': { type: 'string' },
      'gate-seeders': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const env = process.env;
  const port = int('--port', values.port ?? env.PORT ?? '3000');
  const s3Port = int('--s3-port', values['s3-port'] ?? env.S3_PORT ?? '4569');
  const dynamoDbPort = int('--dynamodb-port', values['dynamodb-port'] ?? env.DYNAMODB_PORT ?? '8000');
  const bucket = values.bucket ?? env.BUCKET ?? 'demo';
  const dataDirectory = values.memory ? undefined : resolve(values['data-dir'] ?? env.DATA_DIR ?? '.local');
  const keyFile = dataDirectory && join(dataDirectory, 'signing-key');
  const signingKey = keyFile ? persistentSigningKey(keyFile) : randomBytes(32);

  const webSeedMode = values['web-seed'] ?? env.WEB_SEED ?? 'gateway';
  const gateSwitch = values.gate ?? env.WEB_SEED_GATE ?? 'on';
  if (!['gateway', 'redirect'].includes(webSeedMode) || !['on', 'off'].includes(gateSwitch)) {
    console.error(`--web-seed is gateway or redirect and --gate on or off\n\n${USAGE}`);
    process.exit(2);
  }
  const feeds = optionalInt('--gate-feeds', values['gate-feeds'] ?? env.WEB_SEED_GATE_FEEDS);
  const seedersToGate = optionalInt('--gate-seeders', values['gate-seeders'] ?? env.WEB_SEED_GATE_SEEDERS);
  const gatePolicy = { ...(feeds !== undefined ? { feeds } : {}), ...(seedersToGate !== undefined ? { seedersToGate } : {}) };
  const gatewayPort = int('--gateway-port', values['gateway-port'] ?? env.GATEWAY_PORT ?? '3001');
  const service = await startLocalService({
    apiPort: port,
    s3Port,
    s3Endpoint: values['s3-endpoint'] ?? (env.S3_ENDPOINT || undefined),
    dynamoDbPort,
    dataDirectory,
    sources: values.sources ?? env.SOURCE_BUCKETS ?? '*',
    createBuckets: [bucket],
    inlineHashLimit: int('--inline-limit', values['inline-limit'] ?? env.INLINE_HASH_LIMIT_BYTES ?? String(256 * 1024 * 1024)),
    publicBaseUrl: values['public-url'] ?? env.PUBLIC_BASE_URL,
    signingKey,
    announceIntervalSeconds: int('--announce-interval', values['announce-interval'] ?? env.ANNOUNCE_INTERVAL_SECONDS ?? '1800'),
    events: values.events ?? env.EVENT_SOURCES,
    workflow: {
      maxConcurrency: optionalInt('--hash-concurrency', values['hash-concurrency'] ?? env.HASH_MAX_CONCURRENCY),
      minChunkBytes: optionalInt('--min-chunk', values['min-chunk'] ?? env.HASH_MIN_CHUNK_BYTES),
    },
    logLevel: (values['log-level'] ?? env.LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel,
    webSeed:
      webSeedMode === 'redirect'
        ? 'redirect'
        : {
            port: gatewayPort,
            gate: gateSwitch === 'on' ? gatePolicy : false,
          },
  });

  // Stand-ins must never outlive this process: on any exit, kill what is still running.
  process.on('exit', () => service.killChildren());
  const removePidFile = dataDirectory
    ? writePidFile(dataDirectory, SERVICE_PID_FILE, {
        pid: process.pid,
        ports: { api: port, s3: s3Port, dynamodb: dynamoDbPort, ...(service.webSeed ? { gateway: gatewayPort } : {}) },
      })
    : () => undefined;

  const api = service.apiUrl;
  console.log(`s3-torrent is running locally.

  HTTP API    ${api}
  Tracker     ${api}/announce   (and /scrape; it serves only torrents built here)
  Web seeds   ${
    service.webSeed
      ? `${service.webSeed.gateway.url}   (the local CloudFront: the edge function, ${service.webSeed.gateStream ? 'the swarm-aware gate on' : 'no gate'})`
      : `${api}/-/webseed/...   (redirects to presigned S3 URLs)`
  }
  S3          ${service.s3Endpoint}   (access key ${LOCAL_CREDENTIALS.accessKeyId}, secret ${LOCAL_CREDENTIALS.secretAccessKey})
  DynamoDB    ${service.dynamoDbEndpoint}
  Data        ${dataDirectory ?? '(temporary, deleted on exit)'}

Upload an object:
  AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} AWS_DEFAULT_REGION=us-east-1 \\
    aws --endpoint-url ${service.s3Endpoint} s3 cp ./some-file s3://${bucket}/some-file

Get its torrent:
  curl -fsS -o some-file.torrent '${api}/${bucket}/some-file?torrent'

Then open some-file.torrent in any BitTorrent client: S3 seeds it over HTTP.

Private sources (--sources private:bucket[/prefix]) need a signed link:
  ${keyFile ? `npm run sign-link -- --key-file ${keyFile} '${api}/${bucket}/some-file'` : '(with --memory the signing key is random and not saved)'}

Objects above the inline limit answer 202 with a status URL (${api}/-/jobs/<id>) while the
hashing workflow runs locally; ask again once it is done.${
    service.events
      ? `
S3 events are on for ${values.events ?? env.EVENT_SOURCES}: uploads are pre-built, deletes evicted.`
      : ''
  }
Press Ctrl-C to stop.`);

  let stoppingSince: number | undefined;
  const stop = async (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // Ctrl-C signals the whole process group, and npm passes its copy on to this process too:
      // a second signal that close to the first is the same Ctrl-C, not a user in a hurry.
      if (Date.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return;
      console.log(`${signal} again: stopping now.`);
      process.exit(130); // the 'exit' handler kills the children and removes temporary directories
    }
    stoppingSince = Date.now();
    console.log(`\n${signal}: stopping...`);
    setTimeout(() => {
      console.error(`Not stopped after ${STOP_DEADLINE_MS / 1000} s: stopping now.`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    await service.stop();
    removePidFile();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
}

/** The key that signs links to private objects, kept in the data directory across restarts. */
function persistentSigningKey(file: string): Buffer {
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  const key = randomBytes(32);
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  return key;
}

function optionalInt(name: string, value: string | undefined): number | undefined {
  return value === undefined || value === '' ? undefined : int(name, value) || undefined;
}

function int(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`${name} must be a whole number, got ${JSON.stringify(value)}\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

main().catch((err: unknown) => {
  console.error(`s3-torrent failed to start: ${(err as Error).message}`);
  process.exit(1);
});
