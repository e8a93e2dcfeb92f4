import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { logicalIdOf, onlyResource, resourcesOfType, synthesized, type CfnResource } from './synth.js';

const { resources } = synthesized('production');
const alarms = resourcesOfType(resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm);

/** The metrics an alarm reads (`namespace/name`), whether it watches one metric or a math expression. */
function metricNames(alarm: CfnResource): string[] {
  const properties = alarm.Properties!;
  if (properties.MetricName) return [`${properties.Namespace}/${properties.MetricName}`];
  return (properties.Metrics ?? []).flatMap((entry: { MetricStat?: { Metric: { Namespace: string; MetricName: string } } }) =>
    entry.MetricStat ? [`${entry.MetricStat.Metric.Namespace}/${entry.MetricStat.Metric.MetricName}`] : []);
}

function alarmOn(metric: string): CfnResource {
  const found = alarms.filter((alarm) => metricNames(alarm).includes(metric));
  assert.is(found.length, 1, `one alarm reads ${metric}`);
  return found[0]!;
}

const cases: [string, string, string][] = [
  ['5xx rate (app and load balancer errors over requests)', 'AWS/ApplicationELB/HTTPCode_Target_5XX_Count', 'GreaterThanThreshold'],
  ['latency', 'AWS/ApplicationELB/TargetResponseTime', 'GreaterThanThreshold'],
  ['unhealthy hosts', 'AWS/ApplicationELB/UnHealthyHostCount', 'GreaterThanOrEqualToThreshold'],
  ['service CPU', 'AWS/ECS/CPUUtilization', 'GreaterThanThreshold'],
  ['database connections', 'AWS/RDS/DatabaseConnections', 'GreaterThanThreshold'],
  ['database free storage', 'AWS/RDS/FreeStorageSpace', 'LessThanThreshold'],
  ['database CPU', 'AWS/RDS/CPUUtilization', 'GreaterThanThreshold'],
  ['readiness: requests that could not reach the database', 'hello/production/VisitsNotCounted', 'GreaterThanOrEqualToThreshold'],
];

test('every alarm in the template is one of the cases above', () => {
  assert.is(alarms.length, cases.length);
});

for (const [what, metric, comparison] of cases) {
  test(`an alarm on ${what} (${metric}) notifies the alarm topic, on ALARM and on OK`, () => {
    const alarm = alarmOn(metric);
    assert.is(alarm.Properties!.ComparisonOperator, comparison);
    const [topicId] = onlyResource(resources, 'AWS::SNS::Topic');
    assert.equal(alarm.Properties!.AlarmActions.map(logicalIdOf), [topicId]);
    assert.equal(alarm.Properties!.OKActions.map(logicalIdOf), [topicId]);
  });
}

test('the 5xx alarm is a rate: errors divided by requests', () => {
  const alarm = alarmOn('AWS/ApplicationELB/HTTPCode_Target_5XX_Count');
  assert.equal(metricNames(alarm).sort(), ['HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count', 'RequestCount'].map((name) => `AWS/ApplicationELB/${name}`));
  const expression = alarm.Properties!.Metrics.find((entry: { Expression?: string }) => entry.Expression).Expression;
  assert.match(expression, /\/ MAX\(\[requests, 1\]\)/);
});

test('readiness is counted from the app\'s log: each "visit not counted" line, zero when there is none', () => {
  const [, filter] = onlyResource(resources, 'AWS::Logs::MetricFilter');
  const [logGroupId] = onlyResource(resources, 'AWS::Logs::LogGroup');
  assert.is(logicalIdOf(filter.Properties!.LogGroupName), logGroupId);
  assert.is(filter.Properties!.FilterPattern, '{ $.msg = "visit not counted" }');
  assert.equal(filter.Properties!.MetricTransformations, [{ MetricNamespace: 'hello/production', MetricName: 'VisitsNotCounted', MetricValue: '1', DefaultValue: 0 }]);
  const alarm = alarmOn('hello/production/VisitsNotCounted');
  assert.ok(alarm.Properties!.EvaluationPeriods * 60 > 120, 'quiet through a typical Multi-AZ failover (60-120 s)');
});

test('the alarm topic is encrypted with a key CloudWatch may use', () => {
  const [, topic] = onlyResource(resources, 'AWS::SNS::Topic');
  const [keyId, key] = onlyResource(resources, 'AWS::KMS::Key');
  assert.is(logicalIdOf(topic.Properties!.KmsMasterKeyId), keyId);
  const statements = key.Properties!.KeyPolicy.Statement as { Principal?: { Service?: string } }[];
  assert.ok(statements.some((statement) => statement.Principal?.Service === 'cloudwatch.amazonaws.com'));
});

test('logs: the app writes to CloudWatch Logs with a retention, the ALB writes access logs', () => {
  const [, task] = onlyResource(resources, 'AWS::ECS::TaskDefinition');
  const logging = task.Properties!.ContainerDefinitions[0].LogConfiguration;
  assert.is(logging.LogDriver, 'awslogs');
  const [logGroupId, logGroup] = onlyResource(resources, 'AWS::Logs::LogGroup');
  assert.is(logicalIdOf(logging.Options['awslogs-group']), logGroupId);
  assert.ok(logGroup.Properties!.RetentionInDays > 0);
  const [, alb] = onlyResource(resources, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  const attributes = new Map(alb.Properties!.LoadBalancerAttributes.map((attribute: { Key: string; Value: string }) => [attribute.Key, attribute.Value]));
  assert.is(attributes.get('access_logs.s3.enabled'), 'true');
});

test.run();
