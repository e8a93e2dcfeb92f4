import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { Database } from './database.js';
import type { ServiceEnvironment } from './environments.js';
import type { WebService } from './service.js';

export interface AlarmsProps {
  readonly web: WebService;
  readonly database: Database;
  readonly environment: ServiceEnvironment;
  /** Where the alarms go besides the topic: an on-call address (optional). */
  readonly alarmEmail?: string;
}

/** What one alarm watches; every alarm goes to the same topic, on ALARM and on OK. */
interface AlarmSpec {
  readonly id: string;
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  /** Also watched during a deploy: ECS rolls the deploy back when it fires. */
  readonly guardsDeploys?: boolean;
}

const minute = Duration.minutes(1);
const { GREATER_THAN_THRESHOLD: above, GREATER_THAN_OR_EQUAL_TO_THRESHOLD: atLeast, LESS_THAN_THRESHOLD: below } = cloudwatch.ComparisonOperator;

/**
 * The alarms a person must hear about, all to one SNS topic (encrypted with its own key, which
 * CloudWatch may use), with an e-mail subscription when an address is given.
 */
export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[];
  /** The alarms that say a new version is bad although its tasks pass their health checks. */
  readonly deploymentGuards: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, { web, database, environment, alarmEmail }: AlarmsProps) {
    super(scope, id);

    const key = new kms.Key(this, 'TopicKey', { enableKeyRotation: true, description: 'hello alarm topic' });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Topic', { displayName: `hello ${environment.name} alarms`, masterKey: key, enforceSSL: true });
    if (alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));

    const alb = web.loadBalancer.metrics;
    const errorRate = new cloudwatch.MathExpression({
      label: '5xx per 100 requests',
      expression: '100 * (target5xx + elb5xx) / MAX([requests, 1])',
      usingMetrics: {
        target5xx: alb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: minute, statistic: 'Sum' }),
        elb5xx: alb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: minute, statistic: 'Sum' }),
        requests: alb.requestCount({ period: minute, statistic: 'Sum' }),
      },
      period: minute,
    });

    // Readiness, reported apart from the load balancer's liveness check: the app logs each request
    // whose visit it could not count because the database did not answer (app/app.ts).
    const visitsNotCounted = new logs.MetricFilter(this, 'VisitsNotCountedFilter', {
      logGroup: web.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.msg', '=', 'visit not counted'),
      metricNamespace: `hello/${environment.name}`,
      metricName: 'VisitsNotCounted',
      metricValue: '1',
      defaultValue: 0,
    }).metric({ period: minute, statistic: 'Sum' });

    const specs: AlarmSpec[] = [
      { id: 'Http5xxRate', description: 'More than 2% of requests answered 5xx (app or load balancer) for 3 minutes', metric: errorRate, threshold: 2, comparison: above, evaluationPeriods: 3, guardsDeploys: true },
      { id: 'LatencyP99', description: 'p99 response time above 1 s for 5 minutes', metric: web.targetGroup.metrics.targetResponseTime({ period: minute, statistic: 'p99' }), threshold: 1, comparison: above, evaluationPeriods: 5, guardsDeploys: true },
      { id: 'UnhealthyHosts', description: 'At least one target failed /healthz (the process does not answer) for 2 minutes', metric: web.targetGroup.metrics.unhealthyHostCount({ period: minute, statistic: 'Maximum' }), threshold: 1, comparison: atLeast, evaluationPeriods: 2 },
      { id: 'ServiceCpu', description: 'Service CPU above 80% for 10 minutes (scaling did not keep up, or the maximum is reached)', metric: web.service.metricCpuUtilization({ period: Duration.minutes(5) }), threshold: 80, comparison: above, evaluationPeriods: 2 },
      { id: 'DatabaseConnections', description: 'Database connections near the instance class maximum', metric: database.instance.metricDatabaseConnections({ period: Duration.minutes(5) }), threshold: environment.database.connectionsAlarmThreshold, comparison: above, evaluationPeriods: 2 },
      { id: 'DatabaseFreeStorage', description: 'Less than 2 GiB of database storage left (autoscaling storage is at its maximum or cannot keep up)', metric: database.instance.metricFreeStorageSpace({ period: Duration.minutes(5), statistic: 'Minimum' }), threshold: 2 * 1024 ** 3, comparison: below, evaluationPeriods: 1 },
      { id: 'DatabaseUnreachable', description: 'The app could not reach the database for 3 minutes (visits not counted): live, but not ready; longer than a Multi-AZ failover', metric: visitsNotCounted, threshold: 1, comparison: atLeast, evaluationPeriods: 3 },
      { id: 'DatabaseCpu', description: 'Database CPU above 80% for 15 minutes', metric: database.instance.metricCPUUtilization({ period: Duration.minutes(5) }), threshold: 80, comparison: above, evaluationPeriods: 3 },
    ];

    const action = new actions.SnsAction(this.topic);
    this.deploymentGuards = [];
    this.alarms = specs.map((spec) => {
      const alarm = new cloudwatch.Alarm(this, spec.id, {
        alarmDescription: `hello ${environment.name}: ${spec.description}`,
        metric: spec.metric,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison,
        evaluationPeriods: spec.evaluationPeriods,
        treatMissingData: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      if (spec.guardsDeploys) this.deploymentGuards.push(alarm);
      return alarm;
    });
  }
}
