import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { logicalIdOf, resourcesOfType, synthesized, type CfnResource } from './synth.js';

const { resources } = synthesized('production');

interface Rule {
  /** Logical id of the security group the rule belongs to. */
  group: string;
  /** `0.0.0.0/0`, `::/0`, or the logical id of the peer security group. */
  peer: string;
  protocol: string;
  ports: string;
}

function rule(group: string, entry: Record<string, any>, peerKey: 'SourceSecurityGroupId' | 'DestinationSecurityGroupId'): Rule {
  return {
    group,
    peer: entry.CidrIp ?? entry.CidrIpv6 ?? logicalIdOf(entry[peerKey]),
    protocol: String(entry.IpProtocol),
    ports: `${entry.FromPort}-${entry.ToPort}`,
  };
}

/** Every rule in the template, inline in a group or standalone, in one shape. */
function rules(direction: 'Ingress' | 'Egress'): Rule[] {
  const peerKey = direction === 'Ingress' ? 'SourceSecurityGroupId' : 'DestinationSecurityGroupId';
  const inline = resourcesOfType(resources, 'AWS::EC2::SecurityGroup').flatMap(([id, group]) =>
    ((group.Properties![`SecurityGroup${direction}`] ?? []) as Record<string, any>[]).map((entry) => rule(id, entry, peerKey)));
  const standalone = resourcesOfType(resources, `AWS::EC2::SecurityGroup${direction}`).map(([, entry]: [string, CfnResource]) =>
    rule(logicalIdOf(entry.Properties!.GroupId), entry.Properties!, peerKey));
  return [...inline, ...standalone].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function groupOf(type: string, pick: (properties: Record<string, any>) => unknown[]): string {
  const [[, resource], ...others] = resourcesOfType(resources, type);
  assert.is(others.length, 0, `one ${type}`);
  const groups = pick(resource!.Properties!);
  assert.is(groups.length, 1, `${type} has one security group`);
  return logicalIdOf(groups[0]);
}

const alb = groupOf('AWS::ElasticLoadBalancingV2::LoadBalancer', (p) => p.SecurityGroups);
const app = groupOf('AWS::ECS::Service', (p) => p.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups);
const db = groupOf('AWS::RDS::DBInstance', (p) => p.VPCSecurityGroups);

test('the load balancer, the app and the database each have their own security group', () => {
  assert.is(new Set([alb, app, db]).size, 3);
});

test('inbound: internet -> ALB on 443 and 80, ALB -> app on 8080, app -> database on 5432, nothing else', () => {
  const expected: Rule[] = [
    { group: alb, peer: '0.0.0.0/0', protocol: 'tcp', ports: '443-443' },
    { group: alb, peer: '0.0.0.0/0', protocol: 'tcp', ports: '80-80' },
    { group: app, peer: alb, protocol: 'tcp', ports: '8080-8080' },
    { group: db, peer: app, protocol: 'tcp', ports: '5432-5432' },
  ];
  assert.equal(rules('Ingress'), expected.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
});

test('outbound: the ALB reaches only the app, the database reaches nothing', () => {
  const egress = rules('Egress');
  assert.equal(egress.filter((entry) => entry.group === alb), [{ group: alb, peer: app, protocol: 'tcp', ports: '8080-8080' }]);
  // CDK writes a rule that matches no traffic when a group may not send anything.
  assert.equal(egress.filter((entry) => entry.group === db), [{ group: db, peer: '255.255.255.255/32', protocol: 'icmp', ports: '252-86' }]);
});

test('the database listens on the port the app is allowed to reach', () => {
  const [, instance] = resourcesOfType(resources, 'AWS::RDS::DBInstance')[0]!;
  assert.is(String(instance.Properties!.Port), '5432');
});

test.run();
