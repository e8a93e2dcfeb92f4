import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { suite } from './helpers/suite.js';
import * as assert from 'uvu/assert';
import { PROJECT_ROOT } from './helpers/hooks.js';

// The CDK app is its own package so the toolkit's install stays light; its suite runs from here so
// that `npm test` is the whole test suite. mermaid-cli (the diagram) must not fetch a browser.
const infra = suite('infra: the CDK app\'s own suite');
const infraDir = path.join(PROJECT_ROOT, 'infra');
const env = { PUPPETEER_SKIP_DOWNLOAD: '1' };

/** node_modules/.package-lock.json is npm's record of what it installed: missing or older than the lockfile means stale. */
function installIsCurrent(): boolean {
  const installed = path.join(infraDir, 'node_modules', '.package-lock.json');
  return existsSync(installed) && statSync(installed).mtimeMs >= statSync(path.join(infraDir, 'package-lock.json')).mtimeMs;
}

infra.before(async () => {
  if (!installIsCurrent()) await execa('npm', ['ci', '--no-audit', '--no-fund'], { cwd: infraDir, env });
});

infra('synthesizes offline and passes its template and cdk-nag tests', async () => {
  const result = await execa('npm', ['test'], { cwd: infraDir, env, reject: false, all: true });
  // eslint-disable-next-line no-control-regex
  const plain = result.all.replace(/\x1b\[[0-9;]*m/g, '');
  assert.is(result.exitCode, 0, plain);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  assert.ok(passed >= 20, `infra tests passed: ${passed}\n${plain}`);
  assert.is(Number(/Total:\s+(\d+)/.exec(plain)?.[1]), passed);
});

infra.run();
