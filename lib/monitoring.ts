import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface MonitoringProps {
  readonly api: HttpApi;
  /** An existing SNS topic that receives alarm notifications; alarms still exist without it. */
  readonly alarmTopicArn?: string;
}

/** CloudWatch alarms on what a user would notice: 5xx answers, failing functions, failed jobs. */
export class Monitoring extends Construct {
  private readonly topic?: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    if (props.alarmTopicArn) this.topic = new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn));
    this.alarmOn('Api5xx', props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }), 5, 'API answered 5xx');
  }

  /** Alarms when a function reports errors (unhandled exceptions, timeouts) in two 5-minute periods. */
  watchFunction(name: string, fn: LambdaFunction): void {
    this.alarmOn(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 1, `${name} Lambda errors`);
  }

  alarmOn(id: string, metric: IMetric, threshold: number, description: string): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `s3-torrent: ${description}`,
    });
    if (this.topic) {
      alarm.addAlarmAction(this.topic);
      alarm.addOkAction(this.topic);
    }
    return alarm;
  }
}
