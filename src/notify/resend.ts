import path from 'node:path';
import { loadConfig, resolveNotifyConfig, type Env, type ReleaseConfig } from '../config.js';
import { ExitCode, UserError } from '../errors.js';
import { Git, GitError, gitFailureReason } from '../git.js';
import { jiraDetailsFor, notReadyCards } from '../jira/details.js';
import { NOTES_FETCH_REFSPEC, readReleaseNote } from '../release/notes.js';
import { reportFromGit } from '../release/report-from-git.js';
import { readReport, writeReport, type ReleaseReport } from '../release/report.js';
import { channelsToResend, mergeResults, notifyRelease, type ChannelName, type ChannelResult } from './notify.js';

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
 * The report the release carries in git (<git dir>/release-cut/reports/ is only this clone's cache): its note,
 * fetched from the remote when this clone lacks it, else rebuilt from the release commits.
 */
async function reportOfTag(git: Git, config: ReleaseConfig, tag: string, originUrl: string | null): Promise<ReleaseReport> {
  const commitOfTag = (): Promise<string | null> => git.commitOf(`refs/tags/${tag}`);
  let commit = await commitOfTag();
  if (!commit || !(await readReleaseNote(git, commit))) {
    try {
      await git.fetch(config.remote, [NOTES_FETCH_REFSPEC]);
    } catch (error) {
      throw new UserError(`there is no report for ${tag} here, and ${config.remote} could not be read for it (${error instanceof GitError ? gitFailureReason(error.result) : String(error)})`, {
        hint: `check the ${config.remote} remote and your access, then re-run`,
      });
    }
    commit = await commitOfTag();
  }
  const report = commit ? await reportFromGit(git, config, tag, commit, originUrl) : null;
  if (report) return report;
  throw new UserError(`there is no report for ${tag}: ${commit ? 'it is not a release merge, or this clone is shallow' : `${config.remote} has no such release tag`}`, {
    hint: commit ? 'share from a full clone (git fetch --unshallow)' : 'check the tag (git tag --list "release/*"), or run the release cut first',
    exitCode: ExitCode.usage,
  });
}

/**
 * Shares a finished release's saved report again: on the channels asked for, else on those that
 * did not succeed (all with `force`); the report file keeps what each channel did. Jira is asked
 * again only when the cut could not get its details.
 */
export async function resendReport(options: ResendOptions): Promise<ChannelResult[]> {
  const { git, commonDir } = await Git.open(options.repoDir, options.verbose ? options.say : null);
  const { config, env } = await loadConfig(git.cwd, options.env);
  const notify = resolveNotifyConfig(env, config);
  const reportsDir = path.join(commonDir, config.reportsDir);
  const originUrl = (await git.remotes()).get(config.remote) ?? null;
  const report = (await readReport(reportsDir, options.tag)) ?? (await reportOfTag(git, config, options.tag, originUrl));
  for (const channel of options.channels ?? []) {
    const setting = channel === 'jira' ? notify.jiraRelease : notify[channel];
    if (!setting.on) throw new UserError(`${channel} is off: ${setting.reason}`, { hint: 'set it in the environment or .env (see .env.example)', exitCode: ExitCode.usage });
  }
  if (notify.jira.on && !report.jiraDetails?.available) {
    report.jiraDetails = await jiraDetailsFor(report.jira.map((card) => card.key), notify);
    report.notReady = notReadyCards(report.jira, report.jiraDetails, notify.readyStatuses);
  }
  const channels = channelsToResend(report.notifications, options.channels, options.force);
  if (channels.length === 0) {
    options.say(`every channel already succeeded for ${options.tag}: nothing to send (--force sends again, --channel <name> one channel)`);
    return [];
  }
  const results = await notifyRelease(report, notify, { channels, dryRun: options.dryRun, say: options.say, originUrl });
  if (!options.dryRun) {
    report.notifications = mergeResults(report.notifications, results);
    await writeReport(reportsDir, report);
  }
  return results;
}
