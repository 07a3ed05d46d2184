import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { makeEventBridgeResourceHandler } from './eventbridge-resource';

const logger = new Logger({ serviceName: 's3-torrent-eventbridge-switch' });

/** CloudFormation custom resource: EventBridge delivery on for one event-source bucket. */
export const handler = makeEventBridgeResourceHandler({ s3: new S3Client({ followRegionRedirects: true }), logger });
