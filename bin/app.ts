/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`). Configuration comes from context, in cdk.json or
 * on the command line, e.g. `npx cdk deploy -c s3-torrent:sourceBuckets=my-bucket,other/public/`;
 * lib/app-context.ts declares and checks every key. cdk-nag's AWS Solutions rules run on every
 * synth: a finding fails it unless acknowledged in code.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { appConfigFromContext, ContextError } from '../lib/app-context';
import { S3TorrentStack } from '../lib/s3-torrent-stack';

const app = new App();
let config;
try {
  config = appConfigFromContext(app.node.getAllContext());
} catch (err) {
  if (!(err instanceof ContextError)) throw err;
  // The message alone (each problem names its context key), not a stack trace.
  console.error(err.message);
  process.exit(1);
}
new S3TorrentStack(app, config.stackName, {
  ...config.props,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
