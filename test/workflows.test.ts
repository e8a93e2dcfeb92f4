import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { freePort } from './helpers/postgres.js';
import { PROJECT_ROOT } from './helpers/hooks.js';
import { installed, SHELLCHECK_INSTALL, testNeedingTool } from './helpers/system-tool.js';
import { readWorkflow, runJobInFreshClone, workflowPath, type Workflow } from './helpers/workflow.js';

const workflows = suite('GitHub workflows');
const shellcheckInstalled = installed('shellcheck');

for (const file of ['ci.yml', 'release-cut.yml', 'mutation.yml']) {
  workflows(`${file} validates against the workflow schema`, async () => {
    assert.equal(validateWorkflow(await readFile(workflowPath(file), 'utf8')).errors, []);
  });
}

/** The deploy workflow the README shows under "Deploying to production" (to add; not enabled). */
async function readmeDeployWorkflow(): Promise<string> {
  const readme = await readFile(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Deploying to production'));
  const deploy = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(deploy, 'a yaml block under "Deploying to production"');
  return deploy;
}

/** The workflows and the README's deploy workflow, as text and parsed: the hardening rules hold for all. */
async function everyWorkflow(): Promise<Array<{ file: string; text: string; workflow: Workflow }>> {
  const texts: Array<[string, string]> = [
    ['ci.yml', await readFile(workflowPath('ci.yml'), 'utf8')],
    ['release-cut.yml', await readFile(workflowPath('release-cut.yml'), 'utf8')],
    ['mutation.yml', await readFile(workflowPath('mutation.yml'), 'utf8')],
    ['README deploy.yml', await readmeDeployWorkflow()],
  ];
  return texts.map(([file, text]) => ({ file, text, workflow: parse(text) as Workflow }));
}

workflows('the README\'s not-yet-enabled deploy workflow validates too, and is not enabled', async () => {
  const deploy = await readmeDeployWorkflow();
  assert.match(deploy, 'name: Deploy');
  assert.equal(validateWorkflow(deploy).errors, []);
  assert.not.ok(existsSync(workflowPath('deploy.yml')), 'shown in the README, not enabled');
});

workflows('the validator rejects a job without runs-on (it can fail)', () => {
  const errors = validateWorkflow('on: push\njobs:\n  test:\n    steps:\n      - run: npm test\n').errors;
  assert.ok(errors.length > 0);
});

workflows('ci.yml: pull requests, and pushes to main and develop only: each change runs once', async () => {
  const ci = await readWorkflow('ci.yml');
  assert.equal(Object.keys(ci.on).sort(), ['pull_request', 'push']);
  assert.equal(ci.on.push, { branches: ['main', 'develop'] });
  assert.is(ci.on.pull_request, null, 'every pull request, whatever its base');
});

workflows('ci.yml: a newer push cancels a pull request\'s run, never a run on main or develop', async () => {
  const { concurrency } = await readWorkflow('ci.yml');
  assert.is(concurrency?.['cancel-in-progress'], "${{ github.event_name == 'pull_request' }}");
  // Not github.ref: a queued run of the same group is dropped when a newer one arrives, even without cancel-in-progress.
  assert.is(concurrency?.group, "ci-${{ github.event_name == 'pull_request' && format('pr-{0}', github.event.pull_request.number) || github.run_id }}");
});

workflows('ci.yml: the LTS lines 22 and 24 in the matrix, and 20 exactly while engines accepts it; npm cache', async () => {
  const ci = await readWorkflow('ci.yml');
  const lines = ci.jobs.test!.strategy?.matrix?.node ?? [];
  for (const lts of [22, 24]) assert.ok(lines.includes(lts), `Node.js ${lts} in the matrix`);
  const { engines } = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  const oldestMajor = Number(/^>=\s*(\d+)/.exec(engines.node)?.[1]);
  assert.is(lines.includes(20), oldestMajor <= 20, `Node.js 20 in the matrix exactly while engines (${engines.node}) accepts it`);
  assert.is(Math.min(...(lines as number[])), oldestMajor, 'the oldest line engines accepts is tested');
  const setupNode = ci.jobs.test!.steps.find((step) => step.uses?.startsWith('actions/setup-node'));
  assert.is(setupNode?.with?.cache, 'npm');
  const upload = ci.jobs.test!.steps.find((step) => step.uses?.startsWith('actions/upload-artifact'));
  assert.equal([upload?.if, upload?.with?.path], ['failure()', 'logs/']);
});

workflows('release-cut.yml: Tuesday schedules, manual dispatch with a dry_run input, one cut at a time', async () => {
  const cut = await readWorkflow('release-cut.yml');
  const schedules = (cut.on.schedule as Array<{ cron: string }>).map((entry) => entry.cron);
  assert.equal(schedules, ['0 10 * * 2', '0 11 * * 2']);
  const dispatch = cut.on.workflow_dispatch as { inputs: Record<string, { type: string; default: unknown }> };
  assert.equal(dispatch.inputs.dry_run, { ...dispatch.inputs.dry_run, type: 'boolean', default: true });
  assert.is(cut.concurrency?.['cancel-in-progress'], false);
  assert.match(cut.jobs.cut!.steps.map((step) => step.run ?? '').join('\n'), 'npm run -s release:cut -- "${args[@]}"');
});

workflows('mutation.yml: weekly and by hand, never on pushes or pull requests; one job per module of stryker/modules.mjs, each uploading its report', async () => {
  const mutation = await readWorkflow('mutation.yml');
  assert.equal(Object.keys(mutation.on).sort(), ['schedule', 'workflow_dispatch']);
  const { MODULES } = await import(pathToFileURL(path.join(PROJECT_ROOT, 'stryker', 'modules.mjs')).href) as { MODULES: Record<string, unknown> };
  const job = mutation.jobs.mutation!;
  assert.equal(job.strategy?.matrix?.module, Object.keys(MODULES));
  assert.ok(job.steps.some((step) => step.run === 'npm run test:mutation -- "$MODULE"'), 'the module reaches the script as an environment variable');
  const upload = job.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
  assert.equal([upload?.if, upload?.with?.path], ['always()', 'reports/mutation/${{ matrix.module }}/']);
  const ci = await readFile(workflowPath('ci.yml'), 'utf8');
  assert.not.match(ci, 'test:mutation', 'not part of the CI run on every change');
});

/** `uses: owner/action@<40-hex sha> # vX.Y.Z` split into its parts, or null when it is not pinned that way. */
function actionPin(line: string): { action: string; sha: string; version: string } | null {
  const pin = /^(?:- )?uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line.trim());
  return pin ? { action: pin[1]!, sha: pin[2]!, version: pin[3]! } : null;
}

workflows('a pin is a full commit sha with its release in a comment: a tag, a short sha or no release is refused', () => {
  const sha = '3d3c42e5aac5ba805825da76410c181273ba90b1';
  assert.equal(actionPin(`- uses: actions/checkout@${sha} # v7.0.1`), { action: 'actions/checkout', sha, version: 'v7.0.1' });
  assert.is(actionPin('- uses: actions/checkout@v4'), null);
  assert.is(actionPin(`- uses: actions/checkout@${sha.slice(0, 12)} # v7.0.1`), null);
  assert.is(actionPin(`- uses: actions/checkout@${sha}`), null);
  assert.is(actionPin(`- uses: actions/checkout@${sha} # v7`), null);
});

workflows('every action is pinned by a full commit sha, with its release in a comment, one release of each action', async () => {
  const pins = new Map<string, { sha: string; version: string }>();
  for (const { file, text } of await everyWorkflow()) {
    const lines = text.split('\n').filter((line) => /^\s*(- )?uses:/.test(line));
    assert.ok(lines.length > 0, `${file} uses actions`);
    for (const line of lines) {
      const pin = actionPin(line);
      assert.ok(pin, `${file}: "${line.trim()}" is not "owner/action@<40-hex sha> # vX.Y.Z"`);
      const seen = pins.get(pin.action) ?? { sha: pin.sha, version: pin.version };
      assert.equal(seen, { sha: pin.sha, version: pin.version }, `${pin.action}: one release and one commit in every workflow`);
      pins.set(pin.action, { sha: pin.sha, version: pin.version });
    }
  }
});

workflows('least privilege: no workflow-wide token; each job names its permissions; only the cut writes contents, only deploys get an OIDC token', async () => {
  const writesAllowed: Record<string, string[][]> = {
    'release-cut.yml cut': [['contents', 'write']],
    'README deploy.yml staging': [['id-token', 'write']],
    'README deploy.yml production': [['id-token', 'write']],
  };
  for (const { file, workflow } of await everyWorkflow()) {
    assert.equal(workflow.permissions, {}, `${file}: permissions: {} at the top`);
    for (const [name, job] of Object.entries(workflow.jobs)) {
      assert.ok(job.permissions !== undefined, `${file}: job ${name} names its permissions`);
      const writes = Object.entries(job.permissions as Record<string, string>).filter(([, level]) => level === 'write');
      const expected = writesAllowed[`${file} ${name}`] ?? [];
      assert.equal(writes, expected, `${file}: job ${name} writes only what it must`);
    }
  }
  assert.equal((await readWorkflow('release-cut.yml')).jobs.clock!.permissions, {});
});

workflows('no token stays in .git/config, and no dependency\'s install script runs: every checkout and every npm ci', async () => {
  for (const { file, workflow } of await everyWorkflow()) {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps) {
        if (step.uses?.startsWith('actions/checkout@')) {
          assert.is(step.with?.['persist-credentials'], false, `${file}: ${name}: checkout with persist-credentials: false`);
          assert.is(step.with?.token, undefined, `${file}: ${name}: no token handed to checkout`);
        }
        for (const install of step.run?.match(/npm (ci|install)\b[^\n]*/g) ?? []) {
          assert.match(install, /--ignore-scripts/, `${file}: ${name}: "${install}"`);
        }
      }
    }
  }
});

workflows('release-cut.yml: the push token and the staging URL reach only the cut step, never .git/config; no npm cache', async () => {
  const job = (await readWorkflow('release-cut.yml')).jobs.cut!;
  const holders = job.steps.filter((step) => JSON.stringify(step).includes('secrets.RELEASE_PUSH_TOKEN') || JSON.stringify(step).includes('secrets.STAGING_REMOTE_URL'));
  assert.equal(holders.map((step) => step.name), ['Cut the release']);
  assert.not.match(JSON.stringify(job.env ?? {}), 'secrets.');
  assert.not.match(holders[0]!.run!, /git config/, 'the token is given as GIT_CONFIG_* environment, never written');
  const setupNode = job.steps.find((step) => step.uses?.startsWith('actions/setup-node'))!;
  assert.equal([setupNode.with?.cache, setupNode.with?.['package-manager-cache']], [undefined, false]);
});

workflows('release-cut.yml: in the cut step git gets the push token and the staging remote; .git/config keeps neither', async () => {
  const cutStep = (await readWorkflow('release-cut.yml')).jobs.cut!.steps.find((step) => step.name === 'Cut the release')!;
  const setup = cutStep.run!.slice(0, cutStep.run!.indexOf('args=('));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cut-git-config-'));
  try {
    await execa('git', ['init', '--quiet', dir]);
    const script = `${setup}\ngit remote -v\nprintf 'protocol=https\\nhost=github.com\\n\\n' | git credential fill\n`;
    const { stdout } = await execa('bash', ['-eo', 'pipefail', '-c', script], {
      cwd: dir,
      env: { RELEASE_PUSH_TOKEN: 'push-token-123', STAGING_REMOTE_URL: 'https://x:staging-secret@example.com/staging.git', GIT_TERMINAL_PROMPT: '0' },
    });
    assert.match(stdout, 'staging\thttps://x:staging-secret@example.com/staging.git (push)');
    assert.match(stdout, 'username=x-access-token\npassword=push-token-123');
    assert.not.match(await readFile(path.join(dir, '.git', 'config'), 'utf8'), /secret|token|staging/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

workflows('every job has a timeout of at most 30 minutes', async () => {
  for (const { file, workflow } of await everyWorkflow()) {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const minutes = job['timeout-minutes'];
      assert.ok(typeof minutes === 'number' && minutes > 0 && minutes <= 30, `${file}: job ${name} timeout-minutes: ${String(minutes)}`);
    }
  }
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

testNeedingTool(workflows, 'shellcheck', SHELLCHECK_INSTALL)('every run: script of the workflows passes shellcheck, as do the .ci scripts', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'workflow-scripts-'));
  try {
    const scripts = [path.join(PROJECT_ROOT, '.ci', 'run'), path.join(PROJECT_ROOT, '.ci', 'system-packages.sh')];
    for (const file of ['ci.yml', 'release-cut.yml', 'mutation.yml']) {
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
      // On a machine without shellcheck the step would apt-get install it: a test must not install
      // system packages, so the step is skipped (and not counted as run); CI installs shellcheck first.
      if (run.trim() === 'bash .ci/system-packages.sh' && !shellcheckInstalled) {
        if (process.env.CI === 'true') throw new Error(`shellcheck is not installed, and CI must run this step: ${SHELLCHECK_INSTALL}`);
        console.log(`skipped step "System packages the tests use": shellcheck is not installed (${SHELLCHECK_INSTALL}); CI=true makes this a failure`);
        return null;
      }
      return run;
    },
  });
  assert.is(failures, '', failures);
  const ran = results.filter((result) => result.exitCode === 0).map((result) => result.step);
  const packages = shellcheckInstalled ? ['System packages the tests use'] : [];
  assert.equal(ran, [...packages, 'Install dependencies', 'Typecheck', 'Tests', 'Start the app', 'Hello World on localhost', 'Stop the app']);
  assert.match(results.find((result) => result.step === 'Hello World on localhost')!.output, 'GET / -> Hello World');
});

workflows.run();
