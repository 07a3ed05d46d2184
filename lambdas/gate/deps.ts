import { DynamoDbGateStore } from '../adapters/dynamodb-gate-store';
import { DEFAULT_GATE_POLICY, type GatePolicy } from '../core/gate/gate-policy';
import type { gateEnvShape, readEnv } from '../config/config';
import { ENV } from '../config/env';
import type { AwsClients } from '../runtime/aws-clients';
import { WebSeedGate } from './web-seed-gate';

export interface GateSettings {
  readonly table: string;
  /** Policy knobs (lambdas/core/gate/gate-policy.ts); the defaults where unset. */
  readonly policy?: Partial<GatePolicy>;
}

/** The gate over its DynamoDB table; the endpoint and the tracker each build one. */
export function webSeedGate(clients: Pick<AwsClients, 'dynamoDb'>, settings: GateSettings): WebSeedGate {
  return new WebSeedGate(new DynamoDbGateStore(clients.dynamoDb, settings.table), { ...DEFAULT_GATE_POLICY, ...settings.policy });
}

/** The gate's settings from a Lambda's environment; undefined when the gate is off. */
export function gateSettingsFromEnv(env: ReturnType<typeof readEnv<typeof gateEnvShape>>, holdSeconds?: number): GateSettings | undefined {
  const table = env[ENV.GATE_TABLE];
  if (table === undefined) return undefined;
  return {
    table,
    policy: {
      feeds: env[ENV.GATE_FEEDS],
      seedersToGate: env[ENV.GATE_SEEDERS],
      ...(holdSeconds !== undefined ? { holdSeconds } : {}),
    },
  };
}
