import { createHash } from 'node:crypto';
import { CustomResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { KeyGroup, PublicKey } from 'aws-cdk-lib/aws-cloudfront';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { PUBLIC_KEY_ATTRIBUTE } from '../lambdas/web-seeds/key-pair-resource';
import { ServiceFunction } from './lambda-defaults';

export interface WebSeedSigningKeyProps {
  /**
   * An existing key pair: the secret holding the PEM RSA private key (complete ARN) and its public
   * key (PEM). Unset: the stack generates the pair.
   */
  readonly imported?: { readonly secretArn: string; readonly publicKeyPem: string };
  /** Change it to generate a new pair (default `1`); URLs signed with the old key then stop working. */
  readonly generation?: string;
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The key that signs CloudFront URLs of private objects: a CloudFront public key in a key group
 * (trusted by the distribution's private behaviour), its private half in Secrets Manager. Generated
 * by a custom resource, the private key never appears in the template or the CDK output.
 */
export class WebSeedSigningKey extends Construct {
  readonly secret: ISecret;
  readonly publicKey: PublicKey;
  readonly keyGroup: KeyGroup;

  constructor(scope: Construct, id: string, props: WebSeedSigningKeyProps = {}) {
    super(scope, id);
    let encodedKey: string;
    let version: string;
    if (props.imported) {
      this.secret = Secret.fromSecretCompleteArn(this, 'Secret', props.imported.secretArn);
      encodedKey = props.imported.publicKeyPem;
      version = props.imported.publicKeyPem;
    } else {
      const generation = props.generation ?? '1';
      const secret = new Secret(this, 'Secret', {
        description: 's3-torrent: private key (PEM) that signs CloudFront URLs of private objects; written by the stack',
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'A new key invalidates every private web seed handed out; it is rotated deliberately (context s3-torrent:webSeedKeyGeneration), not on a schedule.',
      });
      const generator = new ServiceFunction(this, 'Generator', {
        entry: 'web-seeds/key-pair-resource.lambda.ts',
        description: "s3-torrent: generates the web seed's CloudFront signing key pair (custom resource)",
        timeout: Duration.minutes(1),
        memorySize: 512,
      });
      secret.grantRead(generator);
      secret.grantWrite(generator);
      const pair = new CustomResource(this, 'KeyPair', {
        serviceToken: generator.functionArn,
        resourceType: 'Custom::WebSeedKeyPair',
        properties: { SecretArn: secret.secretArn, Generation: generation },
      });
      this.secret = secret;
      encodedKey = pair.getAttString(PUBLIC_KEY_ATTRIBUTE);
      version = generation;
    }
    // CloudFront cannot change a public key's value in place: a new key is a new resource.
    this.publicKey = new PublicKey(this, `PublicKey${createHash('sha256').update(version).digest('hex').slice(0, 8)}`, {
      encodedKey,
      comment: 's3-torrent web seeds of private objects',
    });
    this.keyGroup = new KeyGroup(this, 'KeyGroup', { items: [this.publicKey], comment: 's3-torrent web seeds of private objects' });
  }

  /** Sign CloudFront URLs: the key-pair id and the secret in the environment, and read access to the secret. */
  grantSigning(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.CLOUDFRONT_KEY_PAIR_ID, this.publicKey.publicKeyId);
    fn.addEnvironment(ENV.CLOUDFRONT_KEY_SECRET_ARN, this.secret.secretArn);
    this.secret.grantRead(fn);
  }
}
