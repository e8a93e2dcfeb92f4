import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
import { installed, SHELLCHECK_INSTALL, SYSTEM_TOOLS, testNeeding, testNeedingTool } from './helpers/system-tool.js';
import { readWorkflow, runJobInFreshClone, workflowPath, type Workflow } from './helpers/workflow.js';
import { withReleaseTrailer, withStageTrailer } from '../src/release/notes.js';
import { CLI_ENV, CUT_SCRIPT, onBranch, withSandbox } from './helpers/cut.js';
import { git } from '../src/sandbox.js';

const workflows = suite('GitHub workflows');
const shellcheckInstalled = installed('shellcheck');

/** The workflows that run a release command, and the job and step that run it. */
const RELEASE_COMMANDS = [
  { file: 'release-cut.yml', job: 'cut', step: 'Cut the release', script: 'release:cut' },
  { file: 'release-stage.yml', job: 'stage', step: 'Stage the fixes', script: 'release:stage' },
  { file: 'release-promote.yml', job: 'promote', step: 'Promote the release', script: 'release:promote' },
] as const;
const WORKFLOW_FILES = ['ci.yml', 'mutation.yml', ...RELEASE_COMMANDS.map((command) => command.file)];

for (const file of WORKFLOW_FILES) {
  workflows(`${file} validates against the workflow schema`, async () => {
    assert.equal(validateWorkflow(await readFile(workflowPath(file), 'utf8')).errors, []);
  });
}

/** The deploy workflow docs/delivery.md shows under "Deploying to production" (to add; not enabled). */
async function documentedDeployWorkflow(): Promise<string> {
  const page = await readFile(path.join(PROJECT_ROOT, 'docs', 'delivery.md'), 'utf8');
  const section = page.slice(page.indexOf('### Deploying to production'));
  const deploy = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(deploy, 'a yaml block under "Deploying to production"');
  return deploy;
}

/** The workflows and the documented deploy workflow, as text and parsed: the hardening rules hold for all of them. */
async function everyWorkflow(): Promise<Array<{ file: string; text: string; workflow: Workflow }>> {
  const texts: Array<[string, string]> = [];
  for (const file of WORKFLOW_FILES) texts.push([file, await readFile(workflowPath(file), 'utf8')]);
  texts.push(['docs deploy.yml', await documentedDeployWorkflow()]);
  return texts.map(([file, text]) => ({ file, text, workflow: parse(text) as Workflow }));
}

workflows('the documented, not-yet-enabled deploy workflow validates too, and is not enabled', async () => {
  const deploy = await documentedDeployWorkflow();
  assert.match(deploy, 'name: Deploy');
  assert.equal(validateWorkflow(deploy).errors, []);
  assert.not.ok(existsSync(workflowPath('deploy.yml')), 'shown in docs/delivery.md, not enabled');
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

workflows('release-cut.yml: Tuesday schedules, manual dispatch with a dry_run input', async () => {
  const cut = await readWorkflow('release-cut.yml');
  const schedules = (cut.on.schedule as Array<{ cron: string }>).map((entry) => entry.cron);
  assert.equal(schedules, ['0 10 * * 2', '0 11 * * 2']);
  const dispatch = cut.on.workflow_dispatch as { inputs: Record<string, { type: string; default: unknown }> };
  assert.equal(dispatch.inputs.dry_run, { ...dispatch.inputs.dry_run, type: 'boolean', default: true });
});

workflows('release-stage.yml: every push to main, and by hand (dry_run off by default); the cut\'s own push is let through by a gate only', async () => {
  const stage = await readWorkflow('release-stage.yml');
  assert.equal(Object.keys(stage.on).sort(), ['push', 'workflow_dispatch']);
  assert.equal(stage.on.push, { branches: ['main'] });
  const dispatch = stage.on.workflow_dispatch as { inputs: Record<string, { type: string; default: unknown }> };
  assert.equal(Object.keys(dispatch.inputs), ['dry_run']);
  assert.equal(dispatch.inputs.dry_run, { ...dispatch.inputs.dry_run, type: 'boolean', default: false });
  assert.equal([stage.jobs.stage!.needs, stage.jobs.stage!.if], ['gate', "needs.gate.outputs.go == 'true'"]);
});

workflows('release-promote.yml: by hand only, an optional tag, behind the production environment (its reviewers live in the repository settings)', async () => {
  const promote = await readWorkflow('release-promote.yml');
  assert.equal(Object.keys(promote.on), ['workflow_dispatch']);
  const { inputs } = promote.on.workflow_dispatch as { inputs: Record<string, { type: string; required?: boolean; default: unknown }> };
  assert.equal(Object.keys(inputs), ['tag', 'dry_run']);
  assert.equal([inputs.tag!.type, inputs.tag!.required, inputs.tag!.default], ['string', false, '']);
  assert.equal([inputs.dry_run!.type, inputs.dry_run!.default], ['boolean', false]);
  assert.is(promote.jobs.promote!.environment, 'production');
  assert.match(await readFile(workflowPath('release-promote.yml'), 'utf8'), /required reviewers[^\n]*\n[^\n]*repository settings/i);
});

workflows('the cut, the stage and the promotion share one concurrency group on their release job: never two release commands at once, none cancelled', async () => {
  for (const { file, job } of RELEASE_COMMANDS) {
    const workflow = await readWorkflow(file);
    assert.is(workflow.concurrency, undefined, `${file}: no workflow-wide group (a gated or no-op run would take the one waiting place)`);
    assert.equal(workflow.jobs[job]!.concurrency, { group: 'release-cut', 'cancel-in-progress': false }, `${file}: job ${job}`);
    const others = Object.entries(workflow.jobs).filter(([name, entry]) => name !== job && entry.concurrency !== undefined);
    assert.equal(others, [], `${file}: only the release job holds the group`);
  }
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

workflows('least privilege: no workflow-wide token; each job names its permissions; only the release commands write contents, only deploys get an OIDC token', async () => {
  const writesAllowed: Record<string, string[][]> = {
    'release-cut.yml cut': [['contents', 'write']],
    'release-stage.yml stage': [['contents', 'write']],
    'release-promote.yml promote': [['contents', 'write']],
    'docs deploy.yml staging': [['id-token', 'write']],
    'docs deploy.yml production': [['id-token', 'write']],
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

workflows('the release jobs: secrets reach only the command step, never the job\'s env or .git/config; no npm cache', async () => {
  for (const { file, job: jobName, step } of RELEASE_COMMANDS) {
    const job = (await readWorkflow(file)).jobs[jobName]!;
    const holders = job.steps.filter((entry) => JSON.stringify(entry).includes('secrets.'));
    assert.equal(holders.map((entry) => entry.name), [step], `${file}: only "${step}" holds secrets`);
    assert.not.match(JSON.stringify(job.env ?? {}), 'secrets.');
    assert.not.match(holders[0]!.run!, /git config/, `${file}: the token is given as GIT_CONFIG_* environment, never written`);
    assert.match(holders[0]!.run!, /^source \.ci\/release-git\.sh /m, `${file}: the one credential setup`);
    const setupNode = job.steps.find((entry) => entry.uses?.startsWith('actions/setup-node'))!;
    assert.equal([setupNode.with?.cache, setupNode.with?.['package-manager-cache']], [undefined, false]);
  }
});

interface CommandRun {
  exitCode: number;
  output: string;
  /** npm's arguments, then what git showed at that moment: its remotes and the credential it would send. */
  npm: string | null;
  gitConfig: string;
}

/**
 * A release workflow's command step, run by bash in a clone-like repository (with .ci/ as a checkout
 * has it) and `npm` a stand-in that records its arguments and what git knows while it runs.
 */
async function runCommandStep(file: string, stepName: string, env: Record<string, string>): Promise<CommandRun> {
  const command = RELEASE_COMMANDS.find((entry) => entry.file === file)!;
  const step = (await readWorkflow(file)).jobs[command.job]!.steps.find((entry) => entry.name === stepName)!;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'release-step-'));
  try {
    await execa('git', ['init', '--quiet', dir]);
    await mkdir(path.join(dir, '.ci'));
    await copyFile(path.join(PROJECT_ROOT, '.ci', 'release-git.sh'), path.join(dir, '.ci', 'release-git.sh'));
    const bin = path.join(dir, '.git', 'bin');
    await mkdir(bin);
    await writeFile(path.join(bin, 'npm'), `#!/bin/sh
{ printf '%s\\n' "$@"; echo '--'; git remote -v; printf 'protocol=https\\nhost=github.com\\n\\n' | git credential fill; } > .git/npm-call
echo '{"status":"released"}'
`);
    await chmod(path.join(bin, 'npm'), 0o755);
    const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
      cwd: dir, all: true, reject: false, extendEnv: false, env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir, GIT_TERMINAL_PROMPT: '0', ...env },
    });
    const npm = await readFile(path.join(dir, '.git', 'npm-call'), 'utf8').catch(() => null);
    if (npm !== null) assert.is(await readFile(path.join(dir, 'release-report.json'), 'utf8'), '{"status":"released"}\n', 'the JSON document kept for upload');
    return { exitCode: result.exitCode ?? 1, output: result.all, npm, gitConfig: await readFile(path.join(dir, '.git', 'config'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SECRETS = {
  RELEASE_PUSH_TOKEN: 'push-token-123',
  STAGING_REMOTE_URL: 'https://x:staging-secret@example.com/staging.git',
  PRODUCTION_REMOTE_URL: 'https://x:production-secret@example.com/production.git',
};

/** What the npm stand-in recorded: its arguments, then git's remotes and credential at that moment. */
const npmCall = (args: string[], remotes: string[]): string =>
  `${[...args, '--', ...remotes].join('\n')}\nprotocol=https\nhost=github.com\nusername=x-access-token\npassword=push-token-123\n`;
const remote = (name: string, url: string): string[] => [`${name}\t${url} (fetch)`, `${name}\t${url} (push)`];

workflows('the command steps, replayed: the command line, and git holding the token and remotes only while the command runs', async () => {
  const cut = await runCommandStep('release-cut.yml', 'Cut the release', { ...SECRETS, DRY_RUN: 'false' });
  assert.equal([cut.exitCode, cut.npm], [0, npmCall(['run', '-s', 'release:cut', '--', '--json', '--yes'], [...remote('production', SECRETS.PRODUCTION_REMOTE_URL), ...remote('staging', SECRETS.STAGING_REMOTE_URL)])], cut.output);

  const { PRODUCTION_REMOTE_URL: _production, ...stageSecrets } = SECRETS;
  const stage = await runCommandStep('release-stage.yml', 'Stage the fixes', { ...stageSecrets, DRY_RUN: 'true' });
  assert.equal([stage.exitCode, stage.npm], [0, npmCall(['run', '-s', 'release:stage', '--', '--json', '--yes', '--dry-run'], remote('staging', SECRETS.STAGING_REMOTE_URL))], stage.output);

  const current = await runCommandStep('release-promote.yml', 'Promote the release', { ...SECRETS, TAG: '', DRY_RUN: 'false' });
  const remotes = [...remote('production', SECRETS.PRODUCTION_REMOTE_URL), ...remote('staging', SECRETS.STAGING_REMOTE_URL)];
  assert.equal([current.exitCode, current.npm], [0, npmCall(['run', '-s', 'release:promote', '--', '--json', '--yes'], remotes)], current.output);
  const rollback = await runCommandStep('release-promote.yml', 'Promote the release', { ...SECRETS, TAG: 'release/2026-11-24', DRY_RUN: 'true' });
  assert.equal([rollback.exitCode, rollback.npm], [0, npmCall(['run', '-s', 'release:promote', '--', 'release/2026-11-24', '--json', '--yes', '--dry-run'], remotes)], rollback.output);

  for (const run of [cut, stage, current, rollback]) {
    assert.not.match(run.gitConfig, /secret|token|staging|production/, 'nothing of it stays in .git/config');
  }
});

workflows('release-promote.yml: a tag input that looks like an option is refused before anything runs', async () => {
  const run = await runCommandStep('release-promote.yml', 'Promote the release', { ...SECRETS, TAG: '--force', DRY_RUN: 'false' });
  assert.equal([run.exitCode, run.npm], [2, null]);
  assert.match(run.output, '::error::the tag input "--force" looks like an option');
});

workflows('release-stage.yml: the gate skips only the cut\'s and the stage\'s own pushes, read as git reads a trailer', async () => {
  const gate = (await readWorkflow('release-stage.yml')).jobs.gate!.steps[0]!;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stage-gate-'));
  try {
    const decide = async (event: string, message: string): Promise<boolean> => {
      const output = path.join(dir, 'output');
      await writeFile(output, '');
      await execa('bash', ['-eo', 'pipefail', '-c', gate.run!], { cwd: dir, env: { EVENT: event, HEAD_MESSAGE: message, GITHUB_OUTPUT: output } });
      return (await readFile(output, 'utf8')) === 'go=true\n';
    };
    const cutsOwn = withReleaseTrailer("Merge branch 'develop' into main", 'release/2026-12-01');
    assert.equal(
      [
        await decide('push', cutsOwn),
        await decide('push', withStageTrailer('release-stage: QA fixes on release/2026-12-01 in CHANGELOG.md', 'release/2026-12-01')),
        await decide('push', "Merge pull request #42 from team/fix/EPN-170-login\n\nEPN-170: fix the login redirect"),
        await decide('push', 'EPN-171: mention it\n\nRelease-Cut: release/2026-12-01 is where this broke.\nSee the notes.'),
        await decide('push', ''),
        await decide('workflow_dispatch', ''),
        await decide('workflow_dispatch', cutsOwn),
      ],
      [false, false, true, true, true, true, true],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

workflows('the release commands the workflows run exist and take --json, --yes and --dry-run', async () => {
  const { scripts } = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  for (const { script } of RELEASE_COMMANDS) {
    const [program, ...args] = scripts[script]!.split(' ');
    assert.is(program, 'node', `${script}: ${scripts[script]}`);
    const { stdout } = await execa(process.execPath, [...args, '--help'], { cwd: PROJECT_ROOT });
    for (const flag of ['--json', '--yes', '--dry-run']) assert.match(stdout, flag, `${script} --help names ${flag}`);
  }
});

workflows('release-cut.yml: the cut step, run as written (npm standing for the cut\'s entry point), writes every path the report upload keeps', () => withSandbox(async (sandbox) => {
  const job = (await readWorkflow('release-cut.yml')).jobs.cut!;
  const cutStep = job.steps.find((step) => step.name === 'Cut the release')!;
  const upload = job.steps.find((step) => step.uses?.startsWith('actions/upload-artifact'))!;
  const tools = await mkdtemp(path.join(os.tmpdir(), 'cut-step-npm-'));
  try {
    // `npm run -s release:cut -- <args>`: the same entry point, without npm's start-up.
    await writeFile(path.join(tools, 'npm'), `#!/bin/sh\nshift 4\nexec "${process.execPath}" "${CUT_SCRIPT}" "$@"\n`);
    await chmod(path.join(tools, 'npm'), 0o755);
    await onBranch(sandbox, 'develop', () => git(sandbox.work)`git commit --quiet --allow-empty -m ${'feat: DEV-1 something to release'}`);
    await git(sandbox.work)`git checkout --quiet main`;
    await git(sandbox.work)`git remote remove staging`; // the workflow's checkout has no staging remote: the step adds it
    await mkdir(path.join(sandbox.work, '.ci')); // as the workflow's checkout has it (untracked here, which the cut allows)
    await copyFile(path.join(PROJECT_ROOT, '.ci', 'release-git.sh'), path.join(sandbox.work, '.ci', 'release-git.sh'));
    const run = await execa('bash', ['-eo', 'pipefail', '-c', cutStep.run!], {
      cwd: sandbox.work, reject: false, all: true,
      // INIT_CWD as npm sets it for a command typed in the checkout (under `npm test` it names this project).
      env: { ...CLI_ENV, INIT_CWD: sandbox.work, PATH: `${tools}:${process.env.PATH}`, DRY_RUN: 'false', STAGING_REMOTE_URL: sandbox.staging, RELEASE_PUSH_TOKEN: 'unused-locally' },
    });
    assert.is(run.exitCode, 0, String(run.all));
    assert.is((JSON.parse(await readFile(path.join(sandbox.work, 'release-report.json'), 'utf8')) as { status: string }).status, 'released');
    const paths = String(upload.with?.path).split('\n').map((line) => line.trim()).filter(Boolean);
    assert.ok(paths.length > 0);
    for (const kept of paths) assert.ok(existsSync(path.join(sandbox.work, kept)), `${kept}: uploaded by "${upload.name}", but the cut did not write it`);
    assert.is(upload.with?.['if-no-files-found'], 'error', 'a path the cut no longer writes fails the job instead of vanishing');
  } finally {
    await rm(tools, { recursive: true, force: true });
  }
}));

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
    const scripts = ['run', 'system-packages.sh', 'release-git.sh'].map((script) => path.join(PROJECT_ROOT, '.ci', script));
    for (const file of WORKFLOW_FILES) {
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

testNeeding(workflows, SYSTEM_TOOLS.curl)('ci.yml: the test job\'s commands pass in a fresh clone on this machine', async () => {
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
