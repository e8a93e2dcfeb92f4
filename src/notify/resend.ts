import path from 'node:path';
import { loadConfig, resolveNotifyConfig, type Env } from '../config.js';
import { ExitCode, UserError } from '../errors.js';
import { Git, GitError, gitFailureReason } from '../git.js';
import { NOTES_FETCH_REFSPEC, readReleaseNote } from '../release/notes.js';
import { readReport, writeReport, type ReleaseReport } from '../release/report.js';
import { jiraDetailsFor } from './jira.js';
import { mergeResults, notifyRelease, type ChannelName, type ChannelResult } from './notify.js';

export interface ResendOptions {
  repoDir: string;
  tag: string;
  channels: readonly ChannelName[] | undefined;
  dryRun: boolean;
  env: Env;
  say: (line: string) => void;
  verbose: boolean;
}

/**
 * Shares a finished release's saved report again, on all configured channels or only the ones
 * asked for; the report file keeps what each channel did. Jira is asked again only when the cut
 * could not get its details.
 */
/**
 * The report the release carries as a git note (release-reports/ is only this clone's cache):
 * read locally, else after fetching the tag and the notes from the remote.
 */
async function reportFromGit(git: Git, remote: string, tag: string): Promise<ReleaseReport> {
  const local = async (): Promise<ReleaseReport | null> => {
    const commit = await git.run(['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`], { okExitCodes: [0, 1] });
    return commit.exitCode === 0 ? readReleaseNote(git, commit.stdout.trim()) : null;
  };
  const found = await local();
  if (found) return { ...found, dryRun: false };
  try {
    await git.fetch(remote, [NOTES_FETCH_REFSPEC]);
  } catch (error) {
    throw new UserError(`there is no report for ${tag} here, and ${remote} could not be read for it (${error instanceof GitError ? gitFailureReason(error.result) : String(error)})`, {
      hint: `check the ${remote} remote and your access, then re-run`,
    });
  }
  const fetched = await local();
  if (fetched) return { ...fetched, dryRun: false };
  throw new UserError(`there is no report for ${tag}: no release note on ${remote} for that tag`, { hint: 'check the tag (git tag --list "release/*"), or run the release cut first', exitCode: ExitCode.usage });
}

export async function resendReport(options: ResendOptions): Promise<ChannelResult[]> {
  const { git } = await Git.open(options.repoDir, options.verbose ? options.say : null);
  const { config, env } = await loadConfig(git.cwd, options.env);
  const notify = resolveNotifyConfig(env, config);
  const reportsDir = path.join(git.cwd, config.reportsDir);
  const report = (await readReport(reportsDir, options.tag)) ?? (await reportFromGit(git, config.remote, options.tag));
  for (const channel of options.channels ?? []) {
    const setting = notify[channel];
    if (!setting.on) throw new UserError(`${channel} is off: ${setting.reason}`, { hint: 'set it in the environment or .env (see .env.example)', exitCode: ExitCode.usage });
  }
  if (notify.jira.on && !report.jiraDetails?.available) report.jiraDetails = await jiraDetailsFor(report.jira.map((card) => card.key), notify);
  const originUrl = (await git.remotes()).get(config.remote) ?? null;
  const results = await notifyRelease(report, notify, { channels: options.channels, dryRun: options.dryRun, say: options.say, originUrl });
  if (!options.dryRun) {
    report.notifications = mergeResults(report.notifications, results);
    await writeReport(reportsDir, report);
  }
  return results;
}
