import path from 'node:path';
import { loadConfig, resolveNotifyConfig, type Env } from '../config.js';
import { ExitCode, UserError } from '../errors.js';
import { Git } from '../git.js';
import { readReport, writeReport } from '../release/report.js';
import { jiraDetailsFor, notReadyCards } from '../jira/details.js';
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
 * Shares a finished release's saved report again: on the channels asked for, else on those that
 * did not succeed (all with `force`); the report file keeps what each channel did. Jira is asked
 * again only when the cut could not get its details.
 */
export async function resendReport(options: ResendOptions): Promise<ChannelResult[]> {
  const { git } = await Git.open(options.repoDir, options.verbose ? options.say : null);
  const { config, env } = await loadConfig(git.cwd, options.env);
  const notify = resolveNotifyConfig(env, config);
  const reportsDir = path.join(git.cwd, config.reportsDir);
  const report = await readReport(reportsDir, options.tag);
  if (!report) {
    throw new UserError(`there is no report for ${options.tag} in ${reportsDir}`, { hint: 'check the tag (ls release-reports), or run the release cut first', exitCode: ExitCode.usage });
  }
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
  const originUrl = (await git.remotes()).get(config.remote) ?? null;
  const results = await notifyRelease(report, notify, { channels, dryRun: options.dryRun, say: options.say, originUrl });
  if (!options.dryRun) {
    report.notifications = mergeResults(report.notifications, results);
    await writeReport(reportsDir, report);
  }
  return results;
}
