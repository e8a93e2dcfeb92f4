import { createInterface } from 'node:readline/promises';
import path from 'node:path';
import { exitCodeOf, formatError, parseCliArgs } from '../src/cli.js';
import { ExitCode } from '../src/errors.js';
import { failedChannels, notifyRelease } from '../src/notify/notify.js';
import { renderPreviews } from '../src/notify/preview.js';
import { PartialReleaseError, runCut, type CutOutcome } from '../src/release/cut.js';
import { renderTextReport } from '../src/release/report.js';
import { Steps } from '../src/release/steps.js';

const HELP = `Usage: npm run release:cut -- [options]

Merges develop into main, prepends a Jira-grouped section to CHANGELOG.md, tags
release/<date>, pushes main, develop and the tag to origin atomically, then main to staging.

Options:
  --dry-run                preflight and collect, print the report and plan, change nothing
  --json                   print the report as one JSON document (progress goes to stderr)
  --yes, -y                do not ask for confirmation (implied when CI=true or stdin is not a TTY)
  --base <branch>          branch that is released to staging (default: main)
  --head <branch>          branch with the reviewed work (default: develop)
  --remote <name>          remote holding both branches (default: origin)
  --staging-remote <name>  remote that receives the release (default: staging)
  --repo <dir>             checkout to cut (default: where the command was started)
  --verbose                print every git command and error stacks
  --help, -h               show this help

Exit codes: 0 released or nothing to release, 1 failed (nothing changed),
2 bad usage or configuration, 3 released on origin but staging or a sharing channel
failed, 130 interrupted.
Configuration: JIRA_PROJECT_KEYS, JIRA_BASE_URL (environment or .env), or the
"releaseCut" block of the repository's package.json. Jira details, the release in
Jira (fixVersion, JIRA_TRANSITION; JIRA_RELEASE=off turns it off) and sharing (Slack,
email, GitHub Release): see .env.example; npm run release:notify re-sends.`;

const NAME = 'release-cut';

async function printOutcome(outcome: CutOutcome, json: boolean, reportFile: string | null): Promise<void> {
  if (json) {
    const document = outcome.status === 'nothing-to-release' ? outcome : { status: outcome.status, ...outcome.report };
    process.stdout.write(`${JSON.stringify(document)}\n`);
    return;
  }
  if (outcome.status === 'nothing-to-release') {
    process.stdout.write(`nothing to release: ${outcome.head} has no commits that ${outcome.base} lacks\n`);
    const lag = outcome.stagingBehind;
    if (lag) {
      const where = lag.stagingSha === null ? `has no ${outcome.base}` : lag.diverged ? `has commits ${outcome.base} lacks` : `is behind ${outcome.base}`;
      process.stdout.write(`staging ${where} (not a release this cut made); to sync it: ${lag.command}\n`);
    }
    return;
  }
  if (outcome.status === 'aborted') {
    process.stdout.write('aborted: nothing was changed\n');
    return;
  }
  if (outcome.status === 'staging-retried') {
    process.stdout.write(`${outcome.report.tag} was already released; pushed it to staging now\n`);
  }
  process.stdout.write(renderTextReport(outcome.report));
  if (outcome.changelogPreview) process.stdout.write(`\nCHANGELOG section that would be added:\n\n${await outcome.changelogPreview()}`);
  if (outcome.status === 'dry-run') process.stdout.write(renderPreviews(outcome.report.notifications));
  if (reportFile) process.stdout.write(`Report: ${reportFile}\n`);
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

async function main(): Promise<number> {
  const { values } = parseCliArgs(NAME, process.argv.slice(2), {
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    yes: { type: 'boolean', short: 'y', default: false },
    base: { type: 'string' },
    head: { type: 'string' },
    remote: { type: 'string' },
    'staging-remote': { type: 'string' },
    repo: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  const verbose = values.verbose || Boolean(process.env.DEBUG);
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const steps = new Steps(say);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) process.exit(ExitCode.interrupted);
    say(`${signal}: stopping after the current step (press again to quit at once)`);
    steps.interrupt(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const interactive = !values.yes && process.env.CI !== 'true' && process.stdin.isTTY === true;
  try {
    const outcome = await runCut({
      repoDir: path.resolve(values.repo ?? process.env.INIT_CWD ?? process.cwd()),
      dryRun: values['dry-run'],
      confirm: interactive ? confirm : null,
      overrides: {
        ...(values.base ? { base: values.base } : {}),
        ...(values.head ? { head: values.head } : {}),
        ...(values.remote ? { remote: values.remote } : {}),
        ...(values['staging-remote'] ? { stagingRemote: values['staging-remote'] } : {}),
      },
      now: new Date(),
      env: process.env,
      steps,
      say,
      verbose,
      share: notifyRelease,
    });
    await printOutcome(outcome, values.json, outcome.status === 'nothing-to-release' ? null : outcome.reportFile);
    if (outcome.status === 'nothing-to-release') return ExitCode.ok;
    const failed = failedChannels(outcome.report.notifications);
    for (const result of failed) {
      say(`${NAME}: ${outcome.report.tag} is released, but sharing on ${result.channel} ${result.status === 'partial' ? 'was partial' : 'failed'} (${result.detail}) — fix it, then: npm run release:notify -- ${outcome.report.tag} --channel ${result.channel}`);
    }
    return failed.length > 0 ? ExitCode.partial : ExitCode.ok;
  } catch (error) {
    if (error instanceof PartialReleaseError) await printOutcome({ status: 'released', report: error.report, reportFile: error.reportFile }, values.json, error.reportFile);
    say(formatError(NAME, error, verbose));
    return exitCodeOf(error);
  }
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`${formatError(NAME, error, Boolean(process.env.DEBUG))}\n`);
  return exitCodeOf(error);
});
