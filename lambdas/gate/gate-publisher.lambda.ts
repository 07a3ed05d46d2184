import { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { CloudFrontKeyValueStore } from '../adapters/cloudfront-key-value-store';
import { gatePublisherEnvShape, readEnv } from '../config/config';
import { ENV } from '../config/env';
import { instrumentedTask, lambdaObservability, MetricUnit } from '../runtime/observability';
import { makeGatePublisher } from './gate-publisher';

const env = readEnv(gatePublisherEnvShape);
const { logger, metrics } = lambdaObservability('s3-torrent-gate-publisher');

/** The gate table's stream → the CloudFront KeyValueStore the web-seed function reads (docs/web-seed.md). */
export const handler = instrumentedTask(
  makeGatePublisher({ kvs: new CloudFrontKeyValueStore(new CloudFrontKeyValueStoreClient({}), env[ENV.GATE_KVS_ARN]) }),
  logger,
  metrics,
  (m, _input, outcome) => {
    m.addMetric('GatesPublished', MetricUnit.Count, outcome.puts);
    m.addMetric('GatesRemoved', MetricUnit.Count, outcome.deletes);
  },
);
