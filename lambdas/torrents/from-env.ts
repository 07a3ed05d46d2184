import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsHashingWorkflow } from '../adapters/step-functions-workflow';
import type { eventsEnvShape, readEnv } from '../config/config';
import { ENV } from '../config/env';
import type { TorrentServiceSettings, ServiceOptions } from './deps';

/** The environment every function that builds torrents reads (the endpoint's is a superset). */
type ServiceEnv = ReturnType<typeof readEnv<typeof eventsEnvShape>>;

/** The Lambda entry points' half of torrentServiceDeps: settings and workflow from the environment. */
export function torrentServiceFromEnv(env: ServiceEnv): {
  settings: TorrentServiceSettings & { sources: string };
  options: ServiceOptions;
} {
  const stateMachineArn = env[ENV.STATE_MACHINE_ARN];
  return {
    settings: {
      torrentTable: env[ENV.TORRENT_TABLE],
      swarmTable: env[ENV.SWARM_TABLE],
      metadataBucket: env[ENV.METADATA_BUCKET],
      sources: env[ENV.SOURCES],
      inlineHashLimit: env[ENV.INLINE_HASH_LIMIT],
    },
    options: { workflow: stateMachineArn ? new StepFunctionsHashingWorkflow(new SFNClient({}), stateMachineArn) : undefined },
  };
}
