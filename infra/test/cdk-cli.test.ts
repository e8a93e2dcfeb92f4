import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const infraDir = fileURLToPath(new URL('../../', import.meta.url));

test('`npx cdk synth` works as CDK users expect: cdk.json names the app, offline, into the CLI\'s output directory', async () => {
  const output = mkdtempSync(path.join(os.tmpdir(), 'hello-cdk-cli-'));
  try {
    const cdk = path.join(infraDir, 'node_modules', '.bin', 'cdk');
    const { stdout, stderr } = await promisify(execFile)(cdk, ['synth', '--quiet', '--output', output], { cwd: infraDir, env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } });
    for (const stack of ['HelloStaging', 'HelloProduction']) {
      const template = path.join(output, `${stack}.template.json`);
      assert.ok(existsSync(template), `${stack} in ${output}\n${stdout}\n${stderr}`);
      assert.ok(Object.keys(JSON.parse(readFileSync(template, 'utf8')).Resources).length > 50);
    }
  } finally {
    rmSync(output, { recursive: true, force: true });
  }
});

test.run();
