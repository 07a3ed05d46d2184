import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbSwarmStore } from '../adapters/dynamodb-swarm-store';
import type { AnnouncePolicy } from '../core/tracker/announce-policy';
import type { AwsClients } from '../runtime/aws-clients';
import { LinkSigner } from '../security/signed-links';
import type { TrackerDeps } from './tracker';
import { TrackerService } from './tracker-service';
import { webSeedGate, type GateSettings } from '../gate/deps';
import { peerLifetime } from '../core/tracker/announce-policy';

export interface TrackerSettings {
  readonly swarmTable: string;
  /** The key private torrents' announce tokens are derived with (the endpoint's signing key). */
  readonly signingKey: Uint8Array;
  readonly policy: AnnouncePolicy;
  readonly trustIpHints: boolean;
  /** The swarm-aware web seed's gates, kept from announces (docs/web-seed.md). */
  readonly gate?: GateSettings;
}

/** Wires the tracker's adapters; used by the Lambda entry point and by the local server alike. */
export function trackerDeps(clients: Pick<AwsClients, 'dynamoDb'>, settings: TrackerSettings, logger: Logger): TrackerDeps {
  const store = new DynamoDbSwarmStore(clients.dynamoDb, settings.swarmTable);
  const tokens = new LinkSigner(settings.signingKey);
  // A gate holds as long as a silent peer is kept: both end when nobody announces.
  const gate =
    settings.gate &&
    webSeedGate(clients, { ...settings.gate, policy: { holdSeconds: peerLifetime(settings.policy), ...settings.gate.policy } });
  const onGateError = (err: unknown) => logger.warn('web-seed gate update failed', { error: err as Error });
  return {
    tracker: new TrackerService({ store, policy: settings.policy, tokens, gate, onGateError }),
    trustIpHints: settings.trustIpHints,
    logger,
  };
}
