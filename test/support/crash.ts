import type { AwsClients } from '../../lambdas/runtime/aws-clients';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { LOCAL_CREDENTIALS } from '../../local/s3';
import { standInEndpoints } from './service';

/** What a process that "died" throws from then on. */
export class SimulatedCrash extends Error {
  constructor(readonly step: string) {
    super(`simulated crash at ${step}`);
    this.name = 'SimulatedCrash';
  }
}

/** Where to die: before the `at`-th AWS request is sent, or after its answer arrived (its effect is durable). */
export interface CrashPoint {
  readonly at: number;
  readonly when: 'before' | 'after';
}

/**
 * AWS clients on the stand-ins for one simulated process. Every AWS request the adapters make is a
 * step; at the crash point the process dies: that request (and every later one, and every answer
 * still in flight) throws SimulatedCrash, so nothing the "process" does afterwards reaches S3 or
 * DynamoDB, exactly as after a SIGKILL or a Lambda timeout. Without a crash point it only records
 * the steps.
 */
export function processClients(crash?: CrashPoint): { clients: AwsClients; steps: string[]; crashed(): boolean; destroy(): void } {
  const { s3Endpoint, dynamoDbEndpoint } = standInEndpoints();
  const clients = createAwsClients({ s3Endpoint, dynamoDbEndpoint, credentials: LOCAL_CREDENTIALS, region: 'us-east-1' });
  const steps: string[] = [];
  let dead: SimulatedCrash | undefined;
  const injector =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: unknown): Promise<unknown> => {
      if (dead) throw dead;
      const index = steps.push(context.commandName ?? 'unknown');
      const step = `${crash?.when} ${context.commandName} (step ${index})`;
      if (crash?.at === index && crash.when === 'before') throw (dead = new SimulatedCrash(step));
      const out = await next(args);
      if (dead) throw dead;
      if (crash?.at === index && crash.when === 'after') throw (dead = new SimulatedCrash(step));
      return out;
    };
  clients.s3.middlewareStack.add(injector as never, { step: 'initialize', name: 'crashInjector' });
  clients.dynamoDb.middlewareStack.add(injector as never, { step: 'initialize', name: 'crashInjector' });
  return {
    clients,
    steps,
    crashed: () => dead !== undefined,
    destroy: () => {
      clients.s3.destroy();
      clients.dynamoDb.destroy();
    },
  };
}
