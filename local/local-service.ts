import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { createAwsClients, type AwsClients } from '../lambdas/runtime/aws-clients';
import { endpointDeps, type CloudFrontWebSeedSource } from '../lambdas/endpoint/deps';
import { makeEndpointHandler } from '../lambdas/endpoint/endpoint';
import { recordEndpointMetrics } from '../lambdas/endpoint/metrics';
import { instrumented, METRICS_NAMESPACE } from '../lambdas/runtime/observability';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DEFAULT_PRESIGNED_URL_TTL_SECONDS } from '../lambdas/config/env';
import { trackerDeps } from '../lambdas/tracker/deps';
import { makeTrackerHandler } from '../lambdas/tracker/tracker';
import { recordTrackerMetrics } from '../lambdas/tracker/metrics';
import { DEFAULT_ANNOUNCE_POLICY } from '../lambdas/core/tracker/announce-policy';
import { ROUTES } from '../lambdas/http/routes';
import { SWARM_TABLE_SCHEMA, TORRENT_TABLE_SCHEMA } from '../lambdas/config/tables';
import { startDynamoDbLocal, type LocalDynamoDb } from './dynamodb';
import { startLocalHttpApi, type LambdaHttpHandler, type LocalHttpApi } from './http-api';
import { freePort } from './ports';
import { startLocalS3, LOCAL_CREDENTIALS, type LocalS3 } from './s3';
import { ensureTable } from './tables';
import { clearStaleRun, DYNAMODB_PID_FILE, writePidFile } from './stale-runs';
import { eventsDeps } from '../lambdas/events/deps';
import { makeEventsHandler } from '../lambdas/events/events';
import type { LocalHashingWorkflow } from './step-functions';
import type { LeaseSettings } from '../lambdas/torrents/leased-builds';
import { deliverS3Events, startLocalWorkflow, type LocalEvents, type LocalWorkflowSettings } from './workflow';
import { GATE_TABLE_SCHEMA } from '../lambdas/config/tables';
import type { GatePolicy } from '../lambdas/core/gate/gate-policy';
import { CloudFrontKeyValueStore } from '../lambdas/adapters/cloudfront-key-value-store';
import { makeGatePublisher } from '../lambdas/gate/gate-publisher';
import { pollTableStream, type LocalStreamPoller } from './gate-stream';
import { localKeyValueStoreClient, startLocalKeyValueStore, type LocalKeyValueStore } from './key-value-store';
import { startWebSeedGateway, type WebSeedGateway } from './web-seed-gateway';

export interface LocalServiceOptions {
  readonly apiPort?: number;
  readonly s3Port?: number;
  readonly dynamoDbPort?: number;
  /** Where S3 objects and DynamoDB data persist; temporary (deleted on stop) when unset. */
  readonly dataDirectory?: string;
  /** `*`, or comma-separated `bucket` / `bucket/prefix` entries. */
  readonly sources?: string;
  /** Buckets to create at start so there is somewhere to upload. */
  readonly createBuckets?: readonly string[];
  readonly inlineHashLimit?: number;
  readonly presignedUrlTtlSeconds?: number;
  readonly privateWebSeedTtlSeconds?: number;
  /**
   * Web seeds on a CloudFront distribution at this URL, private ones signed with this key, without
   * starting the local one (tests of the URLs alone). `webSeed` starts the local one instead.
   */
  readonly cloudFront?: CloudFrontWebSeedSource;
  /** Signs links to private objects and announce tokens; random per start when unset. */
  readonly signingKey?: Uint8Array;
  readonly publicBaseUrl?: string;
  /** Tracker announce intervals (default 1800 s and 300 s); tests with real clients shorten them. */
  readonly announceIntervalSeconds?: number;
  readonly minAnnounceIntervalSeconds?: number;
  /** Let the tracker take peers' addresses from `ip`/`ipv4`/`ipv6` (default off). */
  readonly trustAnnounceIpHints?: boolean;
  readonly logLevel?: LogLevel;
  /** Reuse running stand-ins instead of starting new ones (tests share one pair per run). */
  readonly s3Endpoint?: string;
  readonly dynamoDbEndpoint?: string;
  /** Table and bucket names; tests give each suite its own. */
  readonly names?: Partial<LocalResourceNames>;
  /** The hashing workflow for objects above the inline limit (run locally unless false). */
  readonly workflow?: false | LocalWorkflowSettings;
  /** Build-lease timings (one build per object identity); tests shorten them. */
  readonly leaseSettings?: Partial<LeaseSettings>;
  /** Pre-build torrents on upload and evict on delete for these sources (`*` or bucket[/prefix],...); off when unset. Needs the in-process S3. */
  readonly events?: string;
  /**
   * How web seeds are served: `redirect` (the default here) by the API's presigned-URL redirects,
   * as deployments without CloudFront do; or through the local stand-in of the CloudFront
   * distribution (the web-seed gateway, running the edge function; private objects get URLs signed
   * with a key pair made at start), with the swarm-aware gate unless `gate: false` (docs/web-seed.md).
   */
  readonly webSeed?: 'redirect' | LocalWebSeedOptions;
  /** Where notices about a previous run go (stopped leftovers); console.warn when unset. */
  readonly report?: (message: string) => void;
}

export interface LocalWebSeedOptions {
  readonly port?: number;
  /** Gate policy knobs (feeds, seedersToGate), or false for a gateway without a gate. */
  readonly gate?: Partial<GatePolicy> | false;
  /** Caps each web-seed response (bytes/s), as the benchmark's S3 rate. */
  readonly originBytesPerSecond?: number;
  /** Objects below this size get no ticket (default 1 MiB). */
  readonly gateMinBytes?: number;
  /** How often the gate table's stream is read (default 100 ms). */
  readonly streamIntervalMs?: number;
}

/** The local CloudFront: the gateway, its KeyValueStore, the gate stream feeding it, and the private key group. */
export interface LocalWebSeed {
  readonly gateway: WebSeedGateway;
  readonly kvs: LocalKeyValueStore;
  readonly gateStream?: LocalStreamPoller;
  readonly cloudFront: CloudFrontWebSeedSource;
}

export interface LocalResourceNames {
  readonly torrentTable: string;
  readonly swarmTable: string;
  readonly metadataBucket: string;
  readonly gateTable: string;
}

export const DEFAULT_NAMES: LocalResourceNames = {
  torrentTable: 's3-torrent-torrents',
  swarmTable: 's3-torrent-swarm',
  metadataBucket: 's3-torrent-metadata',
  gateTable: 's3-torrent-gates',
};

export interface LocalService {
  /** Kills those processes at once (SIGKILL) and removes temporary directories, synchronously: for `process.on('exit')`. */
  killChildren(): void;
  readonly apiUrl: string;
  readonly s3Endpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly names: LocalResourceNames;
  readonly clients: AwsClients;
  readonly signingKey: Uint8Array;
  /** The in-process s3rver, when this service started it (its 'event's are S3 notifications). */
  readonly s3?: LocalS3;
  /** The local Step Functions runner of the hashing workflow, unless disabled. */
  readonly workflow?: LocalHashingWorkflow;
  /** S3 event delivery to the events handler, when enabled. */
  readonly events?: LocalEvents;
  /** The web-seed gateway (the local CloudFront), its KeyValueStore and the gate stream feeding it, when enabled. */
  readonly webSeed?: LocalWebSeed;
  /** The HTTP API stand-in (`idle()`: every request received so far answered). */
  readonly api: LocalHttpApi;
  stop(): Promise<void>;
}

/**
 * The whole service on one machine: S3 and DynamoDB stand-ins, the tables and buckets the CDK
 * stack would create, and an HTTP API stand-in calling the very handlers the stack deploys.
 */
export async function startLocalService(options: LocalServiceOptions = {}): Promise<LocalService> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  const report = options.report ?? ((message: string) => console.warn(message));
  // Fixed ports and a data directory may still be held by a crashed run: find it before starting.
  const notes = await clearStaleRun(options.dataDirectory, {
    'HTTP API': options.apiPort,
    'S3 (--s3-port)': options.s3Endpoint === undefined ? options.s3Port : undefined,
    'DynamoDB Local (--dynamodb-port)': options.dynamoDbEndpoint === undefined ? options.dynamoDbPort : undefined,
    'web-seed gateway (--gateway-port)': typeof options.webSeed === 'object' ? options.webSeed.port : undefined,
  });
  notes.forEach(report);
  let dynamo: LocalDynamoDb | undefined;
  try {
    let s3: LocalS3 | undefined;
    const s3Endpoint =
      options.s3Endpoint ??
      (s3 = await startLocalS3({ port: options.s3Port, directory: options.dataDirectory && `${options.dataDirectory}/s3` })).endpoint;
    if (s3) stops.push(() => s3!.stop());
    const dynamoDbEndpoint =
      options.dynamoDbEndpoint ??
      (dynamo = await startDynamoDbLocal({
        port: options.dynamoDbPort,
        dataDirectory: options.dataDirectory && `${options.dataDirectory}/dynamodb`,
      })).endpoint;
    if (dynamo) {
      const started = dynamo;
      const removePidFile =
        options.dataDirectory === undefined
          ? () => undefined
          : writePidFile(options.dataDirectory, DYNAMODB_PID_FILE, { pid: started.pid, ports: { dynamodb: dynamoDbPort(started) } });
      stops.push(async () => {
        await started.stop();
        removePidFile();
      });
    }

    const names = { ...DEFAULT_NAMES, ...options.names };
    const clients = createAwsClients({ s3Endpoint, dynamoDbEndpoint, credentials: LOCAL_CREDENTIALS, region: 'us-east-1' });
    stops.push(async () => {
      clients.s3.destroy();
      clients.dynamoDb.destroy();
    });
    const webSeedOptions = options.webSeed === undefined || options.webSeed === 'redirect' ? undefined : options.webSeed;
    const gated = webSeedOptions !== undefined && webSeedOptions.gate !== false;
    await provision(clients, dynamoDbEndpoint, names, [names.metadataBucket, ...(options.createBuckets ?? [])], gated);

    const logger = new Logger({ serviceName: 's3-torrent-local', logLevel: options.logLevel ?? 'WARN' });
    // Metrics print CloudWatch EMF lines to stdout; off locally unless POWERTOOLS_METRICS_DISABLED=false.
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 's3-torrent-local' });
    // Torrents carry the public base URL, so the API's port is fixed before its handlers are built.
    const port = options.apiPort ?? (await freePort());
    const publicBaseUrl = options.publicBaseUrl ?? `http://127.0.0.1:${port}`;
    const signingKey = options.signingKey ?? randomBytes(32);
    const workflowSettings = options.workflow === false ? undefined : (options.workflow ?? {});
    const workflow = workflowSettings && startLocalWorkflow(clients, names, workflowSettings, logger);
    if (workflow) stops.push(() => workflow.stop());
    const inlineHashLimit = options.inlineHashLimit ?? 256 * 1024 * 1024;
    const sources = options.sources ?? '*';
    const webSeed =
      webSeedOptions && (await startWebSeed(webSeedOptions, { s3Endpoint, dynamoDbEndpoint, names, gated, sources, logger }, stops));
    const gatePolicy = webSeedOptions?.gate === false ? undefined : webSeedOptions?.gate;
    const gate = gated ? { table: names.gateTable, policy: gatePolicy } : undefined;
    const endpoint = instrumented(
      makeEndpointHandler(
        endpointDeps(
          clients,
          {
            torrentTable: names.torrentTable,
            swarmTable: names.swarmTable,
            metadataBucket: names.metadataBucket,
            sources,
            inlineHashLimit,
            presignedUrlTtlSeconds: options.presignedUrlTtlSeconds ?? DEFAULT_PRESIGNED_URL_TTL_SECONDS,
            privateWebSeedTtlSeconds: options.privateWebSeedTtlSeconds ?? 7 * 24 * 3600,
            cloudFront: webSeed?.cloudFront ?? options.cloudFront,
            signingKey,
            publicBaseUrl,
            gate,
            gateMinBytes: webSeedOptions?.gateMinBytes,
          },
          logger,
          { workflow, retry: workflowSettings?.retry, leaseSettings: options.leaseSettings },
        ),
      ),
      logger,
      metrics,
      recordEndpointMetrics,
    ) as LambdaHttpHandler;
    const interval = options.announceIntervalSeconds ?? DEFAULT_ANNOUNCE_POLICY.interval;
    const tracker = instrumented(
      makeTrackerHandler(
        trackerDeps(
          clients,
          {
            swarmTable: names.swarmTable,
            signingKey,
            policy: {
              interval,
              minInterval: Math.min(interval, options.minAnnounceIntervalSeconds ?? DEFAULT_ANNOUNCE_POLICY.minInterval),
            },
            trustIpHints: options.trustAnnounceIpHints ?? false,
            gate,
          },
          logger,
        ),
      ),
      logger,
      metrics,
      recordTrackerMetrics,
    ) as LambdaHttpHandler;
    const handlers: Record<string, LambdaHttpHandler> = { endpoint, tracker };
    const api: LocalHttpApi = await startLocalHttpApi(
      ROUTES.filter((route) => handlers[route.target] !== undefined).map((route) => ({ route, handler: handlers[route.target]! })),
      // IAM routes accept requests signed (SigV4, service execute-api) with the local credentials.
      { port, iamCredentials: [LOCAL_CREDENTIALS] },
    );
    stops.push(() => api.stop());
    let events: LocalEvents | undefined;
    if (options.events !== undefined) {
      if (s3 === undefined) throw new Error('S3 events need the in-process S3 (do not pass s3Endpoint)');
      const onEvent = makeEventsHandler(
        eventsDeps(clients, { ...names, sources, eventSources: options.events, inlineHashLimit }, logger, {
          workflow,
          retry: workflowSettings?.retry,
          leaseSettings: options.leaseSettings,
        }),
      );
      events = deliverS3Events(s3, onEvent, logger);
      const delivering = events;
      stops.push(async () => {
        delivering.stop();
        await delivering.idle();
      });
    }
    const started = dynamo;
    const s3Started = s3;
    return {
      apiUrl: publicBaseUrl,
      s3Endpoint,
      dynamoDbEndpoint,
      names,
      clients,
      s3,
      signingKey,
      workflow,
      events,
      api,
      webSeed,
      killChildren: () => {
        started?.kill();
        s3Started?.discard();
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The local CloudFront: a KeyValueStore stand-in, the gate publisher fed by the gate table's stream
 * (as the stack's publisher Lambda is), and the gateway running the edge function.
 */
async function startWebSeed(
  options: LocalWebSeedOptions,
  context: { s3Endpoint: string; dynamoDbEndpoint: string; names: LocalResourceNames; gated: boolean; sources: string; logger: Logger },
  stops: (() => Promise<void>)[],
): Promise<LocalWebSeed> {
  const kvs = await startLocalKeyValueStore();
  stops.push(() => kvs.stop());
  let gateStream: LocalStreamPoller | undefined;
  if (context.gated) {
    const kvsClient = localKeyValueStoreClient(kvs.endpoint);
    stops.push(async () => kvsClient.destroy());
    const publish = makeGatePublisher({ kvs: new CloudFrontKeyValueStore(kvsClient, kvs.arn) });
    const poller = await pollTableStream({
      dynamoDbEndpoint: context.dynamoDbEndpoint,
      tableName: context.names.gateTable,
      handle: publish,
      logger: context.logger,
      intervalMs: options.streamIntervalMs,
    });
    gateStream = poller;
    stops.push(() => poller.stop());
  }
  // The private behaviour's key group: one key pair, made for this run.
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPairId = 'KLOCALWEBSEED';
  const gateway = await startWebSeedGateway({
    port: options.port,
    s3Endpoint: context.s3Endpoint,
    kvs: { get: async (key) => kvs.data.get(key) },
    sources: context.sources,
    trustedKeys: new Map([[keyPairId, keys.publicKey]]),
    originBytesPerSecond: options.originBytesPerSecond,
  });
  stops.push(() => gateway.stop());
  const privateKeyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { gateway, kvs, gateStream, cloudFront: { baseUrl: gateway.url, signingKey: async () => ({ keyPairId, privateKeyPem }) } };
}

async function provision(
  clients: AwsClients,
  dynamoDbEndpoint: string,
  names: LocalResourceNames,
  buckets: readonly string[],
  gated: boolean,
) {
  const raw = new DynamoDBClient({ endpoint: dynamoDbEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  try {
    await ensureTable(raw, names.torrentTable, TORRENT_TABLE_SCHEMA);
    await ensureTable(raw, names.swarmTable, SWARM_TABLE_SCHEMA);
    if (gated) await ensureTable(raw, names.gateTable, GATE_TABLE_SCHEMA);
  } finally {
    raw.destroy();
  }
  for (const bucket of buckets) {
    try {
      await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch {
      await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
  }
}

const dynamoDbPort = (dynamo: LocalDynamoDb) => Number(new URL(dynamo.endpoint).port);
