import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { customResourceHandler } from '../runtime/custom-resource';
import { applyKeyPair, type KeyPairProperties, type KeyPairSecret } from './key-pair-resource';

const logger = new Logger({ serviceName: 's3-torrent-web-seed-key' });
const client = new SecretsManagerClient({ maxAttempts: 5 });

const secret: KeyPairSecret = {
  async read(secretArn) {
    try {
      return (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err;
    }
  },
  async write(secretArn, value) {
    await client.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: value }));
  },
};

/** CloudFormation custom resource: the web seed's CloudFront signing key pair (see key-pair-resource.ts). */
export const handler = customResourceHandler<KeyPairProperties>((event) => applyKeyPair(event, secret), { logger });
