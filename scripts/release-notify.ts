import { exitCodeOf, formatError, parseCliArgs, repoDirOf } from '../src/cli.js';
import { ExitCode, UserError } from '../src/errors.js';
import { CHANNELS, type ChannelName } from '../src/notify/notify.js';
import { failedChannels } from '../src/release/report.js';
import { renderPreviews } from '../src/notify/preview.js';
import { resendReport } from '../src/notify/resend.js';

const HELP = `Usage: npm run release:notify -- <tag> [options]

Shares a finished release's report again (stored in git with the release, as a note under
refs/notes/release-cut, so any clone can share it; a copy under .git/release-cut/reports/ is a cache): on the
channels that did not succeed (Slack, email, the GitHub Release, and the release in Jira:
fixVersion, transition), or only the channel named.

Options:
  --channel <name>  only this channel: slack, email, github or jira (may be repeated)
  --force           send on every configured channel, also those that succeeded
  --dry-run         print what each channel would send; send nothing
  --json            print the channel results as one JSON document
  --repo <dir>      checkout whose report is shared (default: where the command was started)
  --verbose         print every git command and error stacks
  --help, -h        show this help

Exit codes: 0 sent, 2 bad usage, configuration or no report for the tag,
3 a channel failed, was partial, or was not done within its time budget (the message says
which and why; a re-run finishes what was not done).
Settings: SLACK_WEBHOOK_URL; SMTP_URL, RELEASE_EMAIL_TO, RELEASE_EMAIL_FROM; GITHUB_TOKEN,
GITHUB_REPOSITORY, GITHUB_API_URL; JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN, JIRA_RELEASE,
JIRA_TRANSITION; NOTIFY_BUDGET_MS (the whole share, default 120000) and NOTIFY_CHANNEL_BUDGET_MS
(each channel, default the whole share's) (environment or .env; see .env.example).`;

const NAME = 'release-notify';

function channelsOf(names: string[] | undefined): ChannelName[] | undefined {
  if (!names || names.length === 0) return undefined;
  for (const name of names) {
    if (!(CHANNELS as readonly string[]).includes(name)) {
      throw new UserError(`unknown channel "${name}"`, { hint: `use one of ${CHANNELS.join(', ')}`, exitCode: ExitCode.usage });
    }
  }
  return names as ChannelName[];
}

async function main(): Promise<number> {
  const { values, positionals } = parseCliArgs(NAME, process.argv.slice(2), {
    channel: { type: 'string', multiple: true },
    force: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    repo: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  }, true);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  const [tag, ...extra] = positionals;
  if (!tag || extra.length > 0) throw new UserError('name one release tag', { hint: 'e.g. npm run release:notify -- release/2026-11-24 --channel slack', exitCode: ExitCode.usage });
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const verbose = values.verbose || Boolean(process.env.DEBUG);
  const results = await resendReport({
    repoDir: repoDirOf(values.repo, process.env, process.cwd()),
    tag,
    channels: channelsOf(values.channel),
    force: values.force,
    dryRun: values['dry-run'],
    env: process.env,
    say,
    verbose,
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ tag, dryRun: values['dry-run'], notifications: results })}\n`);
  } else if (values['dry-run']) {
    process.stdout.write(`Dry run: ${tag} would be shared as follows; nothing was sent.\n${renderPreviews(results)}`);
  } else {
    for (const result of results) {
      process.stdout.write(`${result.channel}: ${result.status} (${result.detail})\n`);
      for (const card of result.cards ?? []) process.stdout.write(`  ${card.key}: ${card.did}\n`);
    }
  }
  const failed = failedChannels(results);
  for (const result of failed) {
    say(`${NAME}: ${result.channel} ${result.status} (${result.detail}) — ${result.status === 'not-done' ? `re-run npm run release:notify -- ${tag} to finish it` : `fix it, then re-run with --channel ${result.channel}`}`);
  }
  return failed.length > 0 ? ExitCode.partial : ExitCode.ok;
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`${formatError(NAME, error, Boolean(process.env.DEBUG))}\n`);
  return exitCodeOf(error);
});
