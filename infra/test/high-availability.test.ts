import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { production, staging } from '../lib/environments.js';
import { logicalIdOf, onlyResource, resourcesOfType, synthesized } from './synth.js';

const { resources } = synthesized('production');

function subnetsOf(refs: unknown[]): { id: string; az: string; type: string; publicIp: boolean }[] {
  return refs.map((ref) => {
    const id = logicalIdOf(ref);
    const subnet = resources[id];
    assert.is(subnet?.Type, 'AWS::EC2::Subnet', `${id} is a subnet`);
    const tags = subnet!.Properties!.Tags as { Key: string; Value: string }[];
    return {
      id,
      az: JSON.stringify(subnet!.Properties!.AvailabilityZone),
      type: tags.find((tag) => tag.Key === 'aws-cdk:subnet-type')!.Value,
      publicIp: subnet!.Properties!.MapPublicIpOnLaunch === true,
    };
  });
}

test('the database is RDS PostgreSQL, Multi-AZ, encrypted, not publicly accessible, protected from deletion', () => {
  const [, db] = onlyResource(resources, 'AWS::RDS::DBInstance');
  assert.is(db.Properties!.Engine, 'postgres');
  assert.is(db.Properties!.MultiAZ, true);
  assert.is(db.Properties!.PubliclyAccessible, false);
  assert.is(db.Properties!.StorageEncrypted, true);
  assert.is(db.Properties!.DeletionProtection, true);
  assert.ok(db.Properties!.BackupRetentionPeriod >= 7, 'backups kept a week or more');
});

test('the database lives in isolated subnets in two AZs', () => {
  const [, group] = onlyResource(resources, 'AWS::RDS::DBSubnetGroup');
  const subnets = subnetsOf(group.Properties!.SubnetIds);
  assert.is(subnets.length, 2);
  assert.is(new Set(subnets.map((subnet) => subnet.az)).size, 2, 'two distinct AZs');
  assert.equal([...new Set(subnets.map((subnet) => subnet.type))], ['Isolated']);
  const routeTables = new Set(resourcesOfType(resources, 'AWS::EC2::SubnetRouteTableAssociation')
    .filter(([, association]) => subnets.some((subnet) => subnet.id === logicalIdOf(association.Properties!.SubnetId)))
    .map(([, association]) => logicalIdOf(association.Properties!.RouteTableId)));
  assert.is(routeTables.size, 2);
  const routesOut = resourcesOfType(resources, 'AWS::EC2::Route').filter(([, route]) => routeTables.has(logicalIdOf(route.Properties!.RouteTableId)));
  assert.equal(routesOut, [], 'no route out of the database subnets (no internet or NAT gateway)');
});

test('the service runs at least two tasks, in private subnets of two AZs, without public IPs', () => {
  const [, service] = onlyResource(resources, 'AWS::ECS::Service');
  assert.ok(service.Properties!.DesiredCount >= 2, `DesiredCount ${service.Properties!.DesiredCount}`);
  assert.is(service.Properties!.LaunchType, 'FARGATE');
  const network = service.Properties!.NetworkConfiguration.AwsvpcConfiguration;
  assert.is(network.AssignPublicIp, 'DISABLED');
  const subnets = subnetsOf(network.Subnets);
  assert.is(new Set(subnets.map((subnet) => subnet.az)).size, 2, 'two distinct AZs');
  assert.equal([...new Set(subnets.map((subnet) => subnet.type))], ['Private']);
  assert.ok(subnets.every((subnet) => !subnet.publicIp));
});

test('auto scaling keeps at least two tasks and tracks CPU and ALB requests per target', () => {
  const [, target] = onlyResource(resources, 'AWS::ApplicationAutoScaling::ScalableTarget');
  assert.ok(target.Properties!.MinCapacity >= 2, `MinCapacity ${target.Properties!.MinCapacity}`);
  assert.ok(target.Properties!.MaxCapacity > target.Properties!.MinCapacity, 'room to scale out');
  const metrics = resourcesOfType(resources, 'AWS::ApplicationAutoScaling::ScalingPolicy')
    .map(([, policy]) => policy.Properties!.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType)
    .sort();
  assert.equal(metrics, ['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
});

test('a bad deploy rolls back by itself and never drops below the running capacity', () => {
  const [, service] = onlyResource(resources, 'AWS::ECS::Service');
  const deployment = service.Properties!.DeploymentConfiguration;
  assert.equal(deployment.DeploymentCircuitBreaker, { Enable: true, Rollback: true });
  assert.is(deployment.MinimumHealthyPercent, 100);
});

test('a deploy that passes its health checks but raises the 5xx or latency alarm rolls back too', () => {
  const [, service] = onlyResource(resources, 'AWS::ECS::Service');
  const { Alarms } = service.Properties!.DeploymentConfiguration;
  assert.is(Alarms.Enable, true);
  assert.is(Alarms.Rollback, true);
  const watched = (Alarms.AlarmNames as unknown[]).map((name) => resources[logicalIdOf(name)]!.Properties!);
  const metrics = watched.map((alarm) => JSON.stringify(alarm.Metrics ?? alarm.MetricName));
  assert.is(watched.length, 2);
  assert.ok(metrics.some((metric) => metric.includes('HTTPCode_Target_5XX_Count')), '5xx rate');
  assert.ok(metrics.some((metric) => metric.includes('TargetResponseTime')), 'latency');
});

test('the load balancer spans the public subnets of two AZs', () => {
  const [, alb] = onlyResource(resources, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  assert.is(alb.Properties!.Scheme, 'internet-facing');
  const subnets = subnetsOf(alb.Properties!.Subnets);
  assert.is(new Set(subnets.map((subnet) => subnet.az)).size, 2);
  assert.equal([...new Set(subnets.map((subnet) => subnet.type))], ['Public']);
});

test('production keeps a NAT gateway per AZ, so losing an AZ does not cut the other one off', () => {
  assert.is(resourcesOfType(resources, 'AWS::EC2::NatGateway').length, 2);
});

test('staging is the same design, smaller: single-AZ database, one NAT gateway, still two tasks', () => {
  const staged = synthesized('staging').resources;
  const [, db] = onlyResource(staged, 'AWS::RDS::DBInstance');
  assert.is(db.Properties!.MultiAZ, staging.database.multiAz);
  assert.is(db.Properties!.DBInstanceClass, `db.${staging.database.instanceType}`);
  assert.is(resourcesOfType(staged, 'AWS::EC2::NatGateway').length, 1);
  const [, service] = onlyResource(staged, 'AWS::ECS::Service');
  assert.ok(service.Properties!.DesiredCount >= 2);
  assert.ok(staging.tasks.max <= production.tasks.max && staging.taskCpu <= production.taskCpu);
});

test.run();
