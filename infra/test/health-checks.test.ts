import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RDS_CA_NAME } from '../lib/rds-ca.js';
import { onlyResource, synthesized } from './synth.js';

const { resources } = synthesized('production');

test('the load balancer checks liveness (/healthz, 200 on port 8080), so a database failover replaces no task', () => {
  const [, group] = onlyResource(resources, 'AWS::ElasticLoadBalancingV2::TargetGroup');
  assert.is(group.Properties!.HealthCheckPath, '/healthz', 'not /readyz: it fails on every task at once while the database fails over');
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
  const plain = (container.Environment ?? []) as { Name: string; Value: string }[];
  assert.equal(plain.map((variable) => variable.Name), ['DB_CA_BUNDLE'], 'the only plain variable is the public CA bundle');
  assert.match(container.Command.join(' '), /DATABASE_URL="postgres:\/\/\$DB_USER:\$DB_PASSWORD@\$DB_HOST:\$DB_PORT\//);
});

test('the database connection is TLS verified against the region\'s RDS roots (verify-full), never no-verify', () => {
  const [, task] = onlyResource(resources, 'AWS::ECS::TaskDefinition');
  const [container] = task.Properties!.ContainerDefinitions;
  const command: string = container.Command[2];
  assert.equal(container.Command.slice(0, 2), ['sh', '-c']);
  assert.not.match(command, /no-verify|sslmode=(disable|allow|prefer|require)\b/);
  const caFile = /sslmode=verify-full&sslrootcert=(\/\S+?\.pem)"/.exec(command)?.[1];
  assert.ok(caFile, command);
  assert.ok(command.startsWith(`printf '%s' "$DB_CA_BUNDLE" > ${caFile};`), 'the bundle is written before node starts');
  // The root filesystem is read-only: the file goes to a task volume.
  assert.is(container.ReadonlyRootFilesystem, true);
  assert.equal(container.MountPoints, [{ ContainerPath: path.dirname(caFile), ReadOnly: false, SourceVolume: 'tmp' }]);
  const bundle = container.Environment.find((variable: { Name: string }) => variable.Name === 'DB_CA_BUNDLE').Value as string;
  const subjects = bundle.split(/(?<=-----END CERTIFICATE-----\n)/).filter(Boolean).map((pem) => new X509Certificate(pem).subject);
  assert.ok(subjects.some((subject) => subject.split('\n').includes('CN=Amazon RDS eu-west-1 Root CA RSA2048 G1')), subjects.join('; '));
  assert.ok(subjects.every((subject) => /CN=Amazon RDS eu-west-1 Root CA /.test(subject)), 'only the region\'s RDS roots');
  const [, database] = onlyResource(resources, 'AWS::RDS::DBInstance');
  assert.is(database.Properties!.CACertificateIdentifier, RDS_CA_NAME, 'the instance uses the CA family the bundle holds');
});

test.run();
