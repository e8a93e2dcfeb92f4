import { createInterface } from 'node:readline/promises';
import { errorJson, exitCodeOf, formatError, parseCliArgs, repoDirOf } from '../cli.js';
import { parseVerifyTimeout } from '../deploy/verify.js';
import { ExitCode } from '../errors.js';
import { shareOnce } from '../notify/share-once.js';
import { ConflictError, PushInFlightError } from '../release/failure.js';
import { handleSignals } from '../release/signals.js';
import { failedChannels, shortfallOf, type ChannelResult, type ReleaseReport } from '../release/report.js';
import { Steps } from '../release/steps.js';
import type { ShareWeek, WeekOptions } from './state.js';

/** What every command of the week takes, as the cut does. */
const WEEK_FLAGS = {
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  yes: { type: 'boolean', short: 'y', default: false },
  remote: { type: 'string' },
  'staging-remote': { type: 'string' },
  'production-remote': { type: 'string' },
  'verify-timeout': { type: 'string' },
  repo: { type: 'string' },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export const WEEK_OPTIONS_HELP = `  --dry-run                 read and plan, print the plan, change nothing
  --json                    one JSON document on stdout, errors too (progress on stderr); never asks
  --yes, -y                 do not ask (implied when CI=true or stdin is not a terminal)
  --remote <name>           remote holding main and develop (default: origin)
  --staging-remote <name>   default: staging
  --production-remote <name> default: production
  --verify-timeout <s>      how long to wait for <url>/version to serve the pushed commit
                            (STAGING_URL / PRODUCTION_URL set; default 300)
  --repo <dir>              the checkout (default: where the command was started)
  --verbose                 print every git command and error stacks
  --help, -h                show this help`;

export interface WeekRun {
  base: WeekOptions & { verifyTimeoutMs?: number };
  positionals: string[];
  /** Asks on the terminal (the plan was printed just before); null: do not ask. */
  confirm: ((question: string) => Promise<boolean>) | null;
  share: ShareWeek;
}

export interface WeekResult {
  status: string;
  notifications: ChannelResult[];
  deploys: { status: 'verified' | 'unverified' }[];
}

async function askOnTerminal(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

/**
 * The entry point of a command of the week: arguments, signals (the running step finishes, a
 * second signal stops at once), --json as one document for every outcome, the exit code.
 */
export async function runWeekCommand<R extends WeekResult>(name: string, help: string, argv: string[], run: (week: WeekRun) => Promise<R>, render: (result: R) => string): Promise<number> {
  const json = argv.includes('--json');
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  let verbose = Boolean(process.env.DEBUG);
  try {
    const { values, positionals } = parseCliArgs(name, argv, WEEK_FLAGS, true);
    if (values.help) {
      process.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    verbose ||= values.verbose;
    const steps = new Steps(say, name.replace('-', ':'));
    handleSignals({
      steps,
      say,
      command: name.replace('-', ':'),
      stop: (error) => {
        if (json) process.stdout.write(`${JSON.stringify({ status: error instanceof PushInFlightError ? 'push-in-flight' : 'interrupted', error: errorJson(error) })}\n`);
        say(formatError(name, error, false));
        process.exit(ExitCode.interrupted);
      },
    });
    const interactive = !values.yes && !json && process.env.CI !== 'true' && process.stdin.isTTY === true;
    const base: WeekRun['base'] = {
      repoDir: repoDirOf(values.repo, process.env, process.cwd()),
      dryRun: values['dry-run'],
      overrides: {
        ...(values.remote ? { remote: values.remote } : {}),
        ...(values['staging-remote'] ? { stagingRemote: values['staging-remote'] } : {}),
        ...(values['production-remote'] ? { productionRemote: values['production-remote'] } : {}),
      },
      env: process.env,
      now: new Date(),
      steps,
      say,
      verbose,
      ...(values['verify-timeout'] === undefined ? {} : { verifyTimeoutMs: parseVerifyTimeout(values['verify-timeout']) }),
    };
    const result = await run({
      base,
      positionals,
      confirm: interactive ? askOnTerminal : null,
      share: (report, state, options) => shareOnce(report, state.notify, {
        store: state.store, force: false, dryRun: options.dryRun, claimTimeoutMs: state.config.claimTimeoutMs, say, originUrl: state.originUrl,
        scope: options.scope, reportFor: options.reportFor as (channel: string) => ReleaseReport,
      }),
    });
    process.stdout.write(json ? `${JSON.stringify(result)}\n` : render(result));
    const failed = failedChannels(result.notifications);
    for (const channel of failed) say(`${name}: sharing on ${channel.channel} ${shortfallOf(channel)} (${channel.detail}) — re-run ${name} ${channel.status === 'not-done' ? 'to finish it' : 'once it is fixed'}`);
    if (failed.length > 0) return ExitCode.partial;
    return result.deploys.some((check) => check.status === 'unverified') ? ExitCode.unverified : ExitCode.ok;
  } catch (error) {
    if (json) {
      const extra = error instanceof ConflictError ? { conflicts: error.conflicts } : {};
      process.stdout.write(`${JSON.stringify({ status: error instanceof ConflictError ? 'conflict' : exitCodeOf(error) === ExitCode.interrupted ? 'interrupted' : 'failed', ...extra, error: errorJson(error) })}\n`);
    }
    say(formatError(name, error, verbose));
    return exitCodeOf(error);
  }
}
