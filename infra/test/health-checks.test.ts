import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { onlyResource, synthesized } from './synth.js';

const { resources } = synthesized('production');

test('the load balancer sends traffic only to tasks whose /readyz answers 200 on port 8080', () => {
  const [, group] = onlyResource(resources, 'AWS::ElasticLoadBalancingV2::TargetGroup');
  assert.is(group.Properties!.HealthCheckPath, '/readyz');
  assert.is(group.Properties!.Matcher.HttpCode, '200');
  assert.is(group.Properties!.Port, 8080);
  assert.is(group.Properties!.TargetType, 'ip');
  const checkSeconds = group.Properties!.HealthCheckIntervalSeconds * group.Properties!.UnhealthyThresholdCount;
  assert.ok(checkSeconds <= 60, `a dead task leaves the rotation within a minute (${checkSeconds} s)`);
});

test('ECS restarts a container whose /healthz stops answering', () => {
  const [, task] = onlyResource(resources, 'AWS::ECS::TaskDefinition');
  const [container] = task.Properties!.ContainerDefinitions;
  const command: string[] = container.HealthCheck.Command;
  assert.is(command[0], 'CMD');
  assert.match(command.join(' '), /http:\/\/127\.0\.0\.1:8080\/healthz/);
  assert.equal(container.PortMappings.map((mapping: { ContainerPort: number }) => mapping.ContainerPort), [8080]);
});

test('HTTPS on 443 with a TLS 1.2+ policy; port 80 only redirects to it', () => {
  const listeners = Object.values(resources).filter((resource) => resource.Type === 'AWS::ElasticLoadBalancingV2::Listener');
  const byPort = new Map(listeners.map((listener) => [listener.Properties!.Port, listener.Properties!]));
  assert.equal([...byPort.keys()].sort(), [443, 80]);
  assert.is(byPort.get(443)!.Protocol, 'HTTPS');
  assert.match(byPort.get(443)!.SslPolicy, /TLS13/);
  assert.equal(byPort.get(80)!.DefaultActions[0].Type, 'redirect');
  assert.is(byPort.get(80)!.DefaultActions[0].RedirectConfig.Port, '443');
});

test('the image is the digest given at deploy time, and a tag is refused', () => {
  const { template } = synthesized('production');
  const parameters = template.toJSON().Parameters;
  const digest = new RegExp(parameters.ImageDigest.AllowedPattern);
  assert.ok(digest.test(`sha256:${'a'.repeat(64)}`));
  assert.not.ok(digest.test('latest'));
  assert.not.ok(digest.test('release-2026-11-24'));
  assert.is(parameters.ImageDigest.Default, undefined, 'no default: every deploy names its image');
  const [, task] = onlyResource(resources, 'AWS::ECS::TaskDefinition');
  const image = JSON.stringify(task.Properties!.ContainerDefinitions[0].Image);
  assert.match(image, /"@",\{"Ref":"ImageDigest"\}/);
});

test('the database password reaches the container from Secrets Manager, never as plain text', () => {
  const [, task] = onlyResource(resources, 'AWS::ECS::TaskDefinition');
  const [container] = task.Properties!.ContainerDefinitions;
  const [secretId] = onlyResource(resources, 'AWS::SecretsManager::Secret');
  const secrets = new Map<string, string>(container.Secrets.map((secret: { Name: string; ValueFrom: unknown }) => [secret.Name, JSON.stringify(secret.ValueFrom)]));
  assert.equal([...secrets.keys()].sort(), ['DB_HOST', 'DB_PASSWORD', 'DB_PORT', 'DB_USER']);
  assert.match(secrets.get('DB_PASSWORD')!, /:password::/);
  assert.ok(secrets.get('DB_PASSWORD')!.includes(secretId) || secrets.get('DB_PASSWORD')!.includes('SecretAttachment'));
  assert.is(container.Environment, undefined, 'no plain environment variables');
  assert.match(container.Command.join(' '), /DATABASE_URL="postgres:\/\/\$DB_USER:\$DB_PASSWORD@\$DB_HOST:\$DB_PORT\//);
});

test.run();
