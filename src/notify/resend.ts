import path from 'node:path';
import { shareDeadline } from '../budget.js';
import { loadConfig, resolveNotifyConfig, type Env, type ReleaseConfig } from '../config.js';
import { ExitCode, UserError } from '../errors.js';
import { Git, GitError, gitFailureReason } from '../git.js';
import { jiraDetailsFor, notReadyCards } from '../jira/details.js';
import { RecordStore } from '../record/store.js';
import { reportFromGit } from '../release/report-from-git.js';
import { writeReport, type ReleaseReport } from '../release/report.js';
import type { ChannelName, ChannelResult } from './notify.js';
import { notificationsOf, shareOnce } from './share-once.js';

export interface ResendOptions {
  repoDir: string;
  tag: string;
  channels: readonly ChannelName[] | undefined;
  /** Without --channel: send on every channel, also those that succeeded before. */
  force: boolean;
  dryRun: boolean;
  env: Env;
  say: (line: string) => void;
  verbose: boolean;
}

/**
 * The report the release carries in git, as the remote has it now: the first line of its record
 * (fetched first: another clone may have appended to it), else rebuilt from the release commits.
 */
async function reportOfTag(git: Git, store: RecordStore, config: ReleaseConfig, tag: string, originUrl: string | null): Promise<ReleaseReport> {
  try {
    await git.fetch(config.remote, [`+refs/tags/${tag}:refs/tags/${tag}`]).catch(() => undefined);
    await store.fetch();
  } catch (error) {
    throw new UserError(`${config.remote} could not be read for the release record of ${tag} (${error instanceof GitError ? gitFailureReason(error.result) : String(error)})`, {
      hint: `check the ${config.remote} remote and your access, then re-run: channels are only sent once the record says they were not`,
    });
  }
  const commit = await git.commitOf(`refs/tags/${tag}`);
  const recordedTag = commit ? (await store.read<ReleaseReport>(commit))?.report.tag : undefined;
  if (recordedTag && recordedTag !== tag) {
    throw new UserError(`${tag} is another tag on the release commit of ${recordedTag}, which is shared under its own name`, {
      hint: `share that release with: npm run release:notify -- ${recordedTag}`,
      exitCode: ExitCode.usage,
    });
  }
  const report = commit ? await reportFromGit(git, config, tag, commit, originUrl) : null;
  if (report) return report;
  throw new UserError(`there is no report for ${tag}: ${commit ? 'it is not a release merge, or this clone is shallow' : `${config.remote} has no such release tag`}`, {
    hint: commit ? 'share from a full clone (git fetch --unshallow)' : 'check the tag (git tag --list "release/*"), or run the release cut first',
    exitCode: ExitCode.usage,
  });
}

/**
 * Shares a finished release's report again: on the channels asked for, else on those that the
 * release record does not show as sent (all with `force`), each claimed in the record first so
 * that two runs never both send. Jira is asked again only when the cut could not get its details.
 */
export async function resendReport(options: ResendOptions): Promise<ChannelResult[]> {
  const { git, commonDir } = await Git.open(options.repoDir, options.verbose ? options.say : null);
  const { config, env, block } = await loadConfig(git.cwd, options.env);
  const notify = resolveNotifyConfig(env, config, block);
  const reportsDir = path.join(commonDir, config.reportsDir);
  const originUrl = (await git.remotes()).get(config.remote) ?? null;
  const store = new RecordStore(git, config.remote, config.recordRef);
  const report = await reportOfTag(git, store, config, options.tag, originUrl);
  for (const channel of options.channels ?? []) {
    const setting = channel === 'jira' ? notify.jiraRelease : notify[channel];
    if (!setting.on) throw new UserError(`${channel} is off: ${setting.reason}`, { hint: 'set it in the environment or .env (see .env.example)', exitCode: ExitCode.usage });
  }
  // The share begins here: the Jira details it asks for count against its budget.
  const deadline = shareDeadline(notify.budgets);
  if (notify.jira.on && !report.jiraDetails?.available) {
    report.jiraDetails = await jiraDetailsFor(report.jira.map((card) => card.key), notify, deadline);
    report.notReady = notReadyCards(report.jira, report.jiraDetails, notify.readyStatuses);
  }
  const results = await shareOnce(report, notify, {
    store, channels: options.channels, force: options.force, dryRun: options.dryRun, claimTimeoutMs: config.claimTimeoutMs, say: options.say, originUrl, deadline,
  });
  if (results.every((result) => result.status === 'off')) {
    options.say(`the release record shows every configured channel sent for ${options.tag}: nothing to send (--force sends again, --channel <name> one channel)`);
  } else if (!options.dryRun) {
    const record = await store.read<ReleaseReport>(report.releaseCommit!);
    await writeReport(reportsDir, { ...report, notifications: record ? notificationsOf(record.events) : results });
  }
  return results;
}
