/** `npm run demo` as a newcomer runs it: the whole week against real local deployments, nothing left running. */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import * as assert from 'uvu/assert';
import { git } from '../src/sandbox.js';
import { CLI_ENV } from './helpers/cut.js';
import { suite } from './helpers/suite.js';

const DEMO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'demo.js');
const demo = suite('npm run demo');

demo('the week in a sandbox: cut with staging verified, a QA fix staged, production promoted and verified, the card found', async () => {
  const result = await execa(process.execPath, [DEMO], { reject: false, all: true, env: { ...process.env, ...CLI_ENV } });
  const root = /^Sandbox: (\S+)/m.exec(result.all ?? '')?.[1];
  try {
    assert.is(result.exitCode, 0, result.all);
    const output = result.all ?? '';
    assert.is(output.match(/verify: staging verified: http:\/\/127\.0\.0\.1:\d+\/version serves [0-9a-f]{7}/g)?.length, 2, 'the cut and the stage each see staging serve what they pushed');
    assert.match(output, /verify: production verified: http:\/\/127\.0\.0\.1:\d+\/version serves [0-9a-f]{7}/);
    assert.match(output, /Staged release\/\S+: release\/\S+ on staging again: 1 fix, EPN-117/);
    assert.match(output, /EPN-117: fix\(cart\): keep the cart when the session renews\n\s+in release\/\S+; on develop, main, staging, production/);
    const [production, staging] = await Promise.all([git(root!)`git -C production.git rev-parse main`, git(root!)`git -C staging.git rev-parse main`]);
    assert.is(production.stdout, staging.stdout, 'production runs what QA tested');
    const ports = [...output.matchAll(/http:\/\/127\.0\.0\.1:(\d+)\/version/g)].map((match) => Number(match[1]));
    for (const port of new Set(ports)) {
      const answer = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => 'answered', () => 'closed');
      assert.is(answer, 'closed', `the demo stopped the app on ${port}`);
    }
  } finally {
    if (root) await rm(root, { recursive: true, force: true });
  }
});

demo.run();
