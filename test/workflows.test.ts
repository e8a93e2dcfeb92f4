import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { validateWorkflow } from '@action-validator/core';
import { freePort } from './helpers/postgres.js';
import { PROJECT_ROOT } from './helpers/hooks.js';
import { installed, SHELLCHECK_INSTALL, testNeedingTool } from './helpers/system-tool.js';
import { readWorkflow, runJobInFreshClone, workflowPath } from './helpers/workflow.js';

const workflows = suite('GitHub workflows');
const shellcheckInstalled = installed('shellcheck');

for (const file of ['ci.yml', 'release-cut.yml']) {
  workflows(`${file} validates against the workflow schema`, async () => {
    assert.equal(validateWorkflow(await readFile(workflowPath(file), 'utf8')).errors, []);
  });
}

workflows('the README\'s not-yet-enabled deploy workflow validates too, and is not enabled', async () => {
  const readme = await readFile(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Deploying to production'));
  const deploy = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(deploy, 'a yaml block under "Deploying to production"');
  assert.match(deploy, 'name: Deploy');
  assert.equal(validateWorkflow(deploy).errors, []);
  assert.not.ok(existsSync(workflowPath('deploy.yml')), 'shown in the README, not enabled');
});

workflows('the validator rejects a job without runs-on (it can fail)', () => {
  const errors = validateWorkflow('on: push\njobs:\n  test:\n    steps:\n      - run: npm test\n').errors;
  assert.ok(errors.length > 0);
});

workflows('ci.yml: push and pull request, read-only token, superseded runs cancelled, LTS matrix', async () => {
  const ci = await readWorkflow('ci.yml');
  assert.equal(Object.keys(ci.on).sort(), ['pull_request', 'push']);
  assert.equal(ci.permissions, { contents: 'read' });
  assert.is(ci.concurrency?.['cancel-in-progress'], true);
  assert.match(ci.concurrency?.group ?? '', 'github.ref');
  const lines = ci.jobs.test!.strategy?.matrix?.node ?? [];
  for (const lts of [22, 24]) assert.ok(lines.includes(lts), `Node.js ${lts} in the matrix`);
  const setupNode = ci.jobs.test!.steps.find((step) => step.uses?.startsWith('actions/setup-node'));
  assert.is(setupNode?.with?.cache, 'npm');
  const upload = ci.jobs.test!.steps.find((step) => step.uses?.startsWith('actions/upload-artifact'));
  assert.equal([upload?.if, upload?.with?.path], ['failure()', 'logs/app.log']);
});

workflows('release-cut.yml: Tuesday schedules, manual dispatch with a dry_run input, push rights', async () => {
  const cut = await readWorkflow('release-cut.yml');
  const schedules = (cut.on.schedule as Array<{ cron: string }>).map((entry) => entry.cron);
  assert.equal(schedules, ['0 10 * * 2', '0 11 * * 2']);
  const dispatch = cut.on.workflow_dispatch as { inputs: Record<string, { type: string; default: unknown }> };
  assert.equal(dispatch.inputs.dry_run, { ...dispatch.inputs.dry_run, type: 'boolean', default: true });
  assert.equal(cut.permissions, { contents: 'write' });
  assert.is(cut.concurrency?.['cancel-in-progress'], false);
  assert.match(cut.jobs.cut!.steps.map((step) => step.run ?? '').join('\n'), 'npm run -s release:cut -- "${args[@]}"');
});

workflows('release-cut.yml: of the two UTC schedules, only the one at 12:00 in Berlin goes ahead', async () => {
  const clock = (await readWorkflow('release-cut.yml')).jobs.clock!.steps[0]!;
  const bin = await mkdtemp(path.join(os.tmpdir(), 'fake-date-'));
  try {
    const decide = async (offset: string, fired: string, event = 'schedule'): Promise<boolean> => {
      // `date +%z` as it answers in winter (+0100) or in summer (+0200).
      await writeFile(path.join(bin, 'date'), `#!/bin/sh\necho '${offset}'\n`);
      await chmod(path.join(bin, 'date'), 0o755);
      const output = path.join(bin, 'output');
      await writeFile(output, '');
      await execa('bash', ['-eo', 'pipefail', '-c', clock.run!], { env: { PATH: `${bin}:${process.env.PATH}`, TZ: 'Europe/Berlin', EVENT: event, FIRED: fired, GITHUB_OUTPUT: output } });
      return (await readFile(output, 'utf8')).includes('go=true');
    };
    assert.equal(
      [await decide('+0100', '0 11 * * 2'), await decide('+0100', '0 10 * * 2'), await decide('+0200', '0 10 * * 2'), await decide('+0200', '0 11 * * 2')],
      [true, false, true, false],
    );
    assert.ok(await decide('+0100', '', 'workflow_dispatch'), 'a manual run always goes ahead');
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
});

testNeedingTool(workflows, 'shellcheck', SHELLCHECK_INSTALL)('every run: script of both workflows passes shellcheck, as do the .ci scripts', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'workflow-scripts-'));
  try {
    const scripts = [path.join(PROJECT_ROOT, '.ci', 'run'), path.join(PROJECT_ROOT, '.ci', 'system-packages.sh')];
    for (const file of ['ci.yml', 'release-cut.yml']) {
      const workflow = await readWorkflow(file);
      for (const [jobName, job] of Object.entries(workflow.jobs)) {
        for (const [index, step] of job.steps.entries()) {
          if (!step.run) continue;
          const script = path.join(dir, `${file}-${jobName}-${index}.sh`);
          await writeFile(script, `#!/usr/bin/env bash\n${step.run}`);
          scripts.push(script);
        }
      }
    }
    const result = await execa('shellcheck', ['--severity=style', ...scripts], { reject: false, all: true });
    assert.is(result.exitCode, 0, result.all);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

workflows('ci.yml: the test job\'s commands pass in a fresh clone on this machine', async () => {
  const job = (await readWorkflow('ci.yml')).jobs.test!;
  const { results, failures } = await runJobInFreshClone(job, {
    overrides: { PORT: String(await freePort()) },
    substitute: (run) => {
      // This test is part of `npm test`: the whole suite inside it would run itself again.
      if (run.trim() === 'npm test') return 'npm test -- jira-keys';
      // On a machine without shellcheck the step would apt-get install it: a test must not install system packages.
      if (run.trim() === 'bash .ci/system-packages.sh' && !shellcheckInstalled) return 'echo "shellcheck missing: not installing system packages from a test"';
      return run;
    },
  });
  assert.is(failures, '', failures);
  const ran = results.filter((result) => result.exitCode === 0).map((result) => result.step);
  assert.equal(ran, ['System packages the tests use', 'Install dependencies', 'Typecheck', 'Tests', 'Start the app', 'Hello World on localhost', 'Stop the app']);
  assert.match(results.find((result) => result.step === 'Hello World on localhost')!.output, 'GET / -> Hello World');
});

workflows.run();
