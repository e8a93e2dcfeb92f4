import { exitCodeOf, formatError, parseCliArgs, repoDirOf } from '../src/cli.js';
import { ExitCode, UserError } from '../src/errors.js';
import { parseVerifyTimeout } from '../src/deploy/verify.js';
import { shareRelease } from '../src/notify/share-once.js';
import { renderPreviews } from '../src/notify/preview.js';
import { PartialReleaseError, runCut, type CutOutcome, type PlannedCut } from '../src/cut/cut.js';
import { ConflictError } from '../src/release/failure.js';
import { handleSignals } from '../src/release/signals.js';
import { errorDocument, outcomeDocument, outcomeExitCode, sharingFailures } from '../src/cut/cut-result.js';
import { renderTextReport, type ReleaseReport } from '../src/release/report.js';
import { Steps } from '../src/release/steps.js';

const HELP = `Usage: npm run release:cut -- [options]

Merges develop into main, prepends a Jira-grouped section to CHANGELOG.md, tags
release/<date>, pushes main, develop and the tag to origin atomically, then main to staging.

Options:
  --dry-run                preflight and collect, print the report and plan, change nothing
  --json                   answer with one JSON document on stdout, errors included (progress
                           goes to stderr); never asks for confirmation
  --yes, -y                do not ask for confirmation (implied when CI=true or stdin is not a TTY)
  --base <branch>          branch that is released to staging (default: main)
  --head <branch>          branch with the reviewed work (default: develop)
  --remote <name>          remote holding both branches (default: origin)
  --staging-remote <name>  remote that receives the release (default: staging)
  --verify-timeout <s>     with STAGING_URL set: how long to wait for <url>/version to serve
                           the pushed commit (default: 300)
  --repo <dir>             checkout to cut, relative to where the command was typed
                           (default: that directory)
  --verbose                print every git command and error stacks
  --help, -h               show this help

Exit codes: 0 released or nothing to release, 1 failed or answered no (nothing changed),
2 bad usage or configuration, 3 released on origin but staging or a sharing channel
failed, 4 released and recorded but staging did not serve the release within the verify
timeout, 130 interrupted.
Configuration: JIRA_PROJECT_KEYS, JIRA_BASE_URL (environment or .env), or the
"releaseCut" block of the repository's package.json. Jira details, the release in
Jira (fixVersion, JIRA_TRANSITION; JIRA_RELEASE=off turns it off) and sharing (Slack,
email, GitHub Release): see .env.example; npm run release:notify re-sends.`;

const NAME = 'release-cut';

const write = (text: string): void => void process.stdout.write(text);

async function printReport(report: ReleaseReport, changelogPreview?: () => Promise<string>): Promise<void> {
  write(renderTextReport(report));
  if (changelogPreview) write(`\nCHANGELOG section that would be added:\n\n${await changelogPreview()}`);
}

async function printOutcome(outcome: CutOutcome): Promise<void> {
  if (outcome.status === 'nothing-to-release') {
    write(`nothing to release: ${outcome.head} has no commits that ${outcome.base} lacks\n`);
    const lag = outcome.stagingBehind;
    if (lag) {
      const where = lag.stagingSha === null ? `has no ${outcome.base}` : lag.diverged ? `has commits ${outcome.base} lacks` : `is behind ${outcome.base}`;
      write(`staging ${where} (not a release this cut made); to sync it: ${lag.command}\n`);
    }
    return;
  }
  if (outcome.status === 'aborted') {
    write('aborted: nothing was changed\n');
    return;
  }
  if (outcome.status === 'staging-retried') write(`${outcome.report.tag} was already released; pushed it to staging now\n`);
  await printReport(outcome.report, outcome.changelogPreview);
  if (outcome.status === 'dry-run') write(renderPreviews(outcome.report.notifications));
  if (outcome.reportFile) write(`Report: ${outcome.reportFile}\n`);
}

/** What a failure still has to show on stdout: the release that reached origin, or the plan that met a conflict. */
function printFailure(error: unknown, dryRun: boolean): void {
  if (error instanceof PartialReleaseError) write(`${renderTextReport(error.report)}Report: ${error.reportFile}\n`);
  if (error instanceof ConflictError && dryRun) write(renderTextReport(error.report));
}

/** Set while the confirmation prompt waits: a signal answers it. */
let cancelPrompt: (() => void) | null = null;

/** Shows the plan, then asks; Ctrl-C at the prompt stops the cut (130) with nothing changed. */
async function confirm(plan: PlannedCut): Promise<boolean> {
  await printReport(plan.report, plan.changelogPreview);
  // Loaded here: only a person at a terminal is asked, and readline is five modules for every other start.
  const { createInterface } = await import('node:readline/promises');
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const cancelled = new AbortController();
  const cancel = (): void => cancelled.abort('interrupted');
  const endOfInput = (): void => cancelled.abort('no answer');
  cancelPrompt = cancel;
  prompt.on('SIGINT', cancel);
  prompt.on('close', endOfInput);
  try {
    return /^y(es)?$/i.test((await prompt.question(`${plan.question} [y/N] `, { signal: cancelled.signal })).trim());
  } catch (error) {
    if (cancelled.signal.reason === 'no answer') return false;
    if (!cancelled.signal.aborted) throw error;
    throw new UserError('interrupted at the prompt', { hint: 'nothing was changed', exitCode: ExitCode.interrupted });
  } finally {
    cancelPrompt = null;
    prompt.off('close', endOfInput);
    prompt.close();
  }
}

async function main(argv: string[]): Promise<number> {
  // Known before parsing, so that even a usage error answers in JSON.
  const json = argv.includes('--json');
  let verbose = Boolean(process.env.DEBUG);
  let dryRun = false;
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  try {
    const { values } = parseCliArgs(NAME, argv, {
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      base: { type: 'string' },
      head: { type: 'string' },
      remote: { type: 'string' },
      'staging-remote': { type: 'string' },
      'verify-timeout': { type: 'string' },
      repo: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    });
    if (values.help) {
      write(`${HELP}\n`);
      return ExitCode.ok;
    }
    verbose ||= values.verbose;
    dryRun = values['dry-run'];
    const steps = new Steps(say);
    handleSignals({
      steps,
      say,
      command: 'the cut',
      stop: (error) => {
        if (json) write(`${JSON.stringify(errorDocument(error))}\n`);
        say(formatError(NAME, error, false));
        process.exit(ExitCode.interrupted);
      },
      onFirst: () => cancelPrompt?.(),
    });

    const interactive = !values.yes && !json && process.env.CI !== 'true' && process.stdin.isTTY === true;
    const outcome = await runCut({
      repoDir: repoDirOf(values.repo, process.env, process.cwd()),
      dryRun,
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
      share: shareRelease,
      ...(values['verify-timeout'] === undefined ? {} : { verifyTimeoutMs: parseVerifyTimeout(values['verify-timeout']) }),
    });
    if (json) write(`${JSON.stringify(outcomeDocument(outcome))}\n`);
    else await printOutcome(outcome);
    if (outcome.status !== 'nothing-to-release') {
      for (const failure of sharingFailures(outcome.report)) say(formatError(NAME, failure, false));
    }
    return outcomeExitCode(outcome);
  } catch (error) {
    if (json) write(`${JSON.stringify(errorDocument(error))}\n`);
    else printFailure(error, dryRun);
    say(formatError(NAME, error, verbose));
    return exitCodeOf(error);
  }
}

process.exitCode = await main(process.argv.slice(2));
