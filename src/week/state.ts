import { loadConfig, resolveNotifyConfig, type Env, type NotifyConfig, type ReleaseConfig } from '../config.js';
import { ExitCode, UserError } from '../errors.js';
import { Git, type Checkout } from '../git.js';
import type { RecordEvent } from '../record/record.js';
import { RecordStore } from '../record/store.js';
import { fail, fetchBranches, gitErrorDetail, preflight, resolveBranches, type Branch } from '../release/checkout.js';
import { releaseDate } from '../release/plan.js';
import type { ChannelResult, ReleaseReport } from '../release/report.js';
import { fixesSinceAnnounced, newestRelease, reportFromGit } from '../release/report-from-git.js';
import type { Steps } from '../release/steps.js';
import type { Fixes } from '../release/fixes.js';

/** What every command of the week starts from, read from git, the remotes and the release record. */
export interface WeekState {
  checkout: Checkout;
  git: Git;
  config: ReleaseConfig;
  notify: NotifyConfig;
  store: RecordStore;
  originUrl: string | null;
  base: Branch;
  head: Branch;
  /** The newest release on origin's main. */
  release: { tag: string; commit: string; report: ReleaseReport; events: RecordEvent[] };
  /** The release records' ref as origin had it when read (null: none yet). */
  recordTip: string | null;
  /** main's commits since the release (or its last stage) was announced. */
  fixes: Fixes;
  /** Each deployment remote's main (null: it has none). */
  deployed: { staging: string | null; production: string | null };
}

/**
 * Shares what a command of the week announces, each channel once under `scope` in the release's
 * record; `reportFor` gives a channel another report (the GitHub release keeps the whole release).
 * Passed in by the entry point: the week's commands sit below the notifiers' wiring.
 */
export type ShareWeek = (report: ReleaseReport, state: WeekState, options: { scope: string; reportFor: (channel: string) => ReleaseReport; dryRun: boolean }) => Promise<ChannelResult[]>;

export interface WeekOptions {
  repoDir: string;
  dryRun: boolean;
  overrides: Partial<Pick<ReleaseConfig, 'base' | 'head' | 'remote' | 'stagingRemote' | 'productionRemote'>>;
  env: Env;
  now: Date;
  steps: Steps;
  say: (line: string) => void;
  verbose: boolean;
}

async function deployedSha(git: Git, remote: string, branch: string, needed: boolean): Promise<string | null> {
  const remotes = await git.remotes();
  if (!remotes.has(remote)) {
    if (!needed) return null;
    throw fail(`there is no git remote named "${remote}"`, `add it with: git remote add ${remote} <url> (or pass --${remote === 'production' ? 'production' : 'staging'}-remote)`, ExitCode.usage);
  }
  try {
    return await git.remoteRef(remote, `refs/heads/${branch}`);
  } catch (error) {
    throw fail(`${remote} is unreachable: ${gitErrorDetail(error)}`, `fix the ${remote} remote (git remote -v) or its network, then re-run; nothing was changed`);
  }
}

/**
 * Reads the week: the checkout checked as the cut checks it (clean, no operation in progress,
 * worktrees that can follow), origin's branches fetched whole with the records, the newest
 * release and its record, main's fixes since they were last announced, and where the
 * deployment remotes are. Changes nothing but remote-tracking refs.
 */
export async function readWeek(options: WeekOptions, needs: { production: boolean }): Promise<WeekState> {
  const { steps, say } = options;
  const checkout = await Git.open(options.repoDir, options.verbose ? say : null);
  const { git } = checkout;
  const { config: loaded, env, block } = await loadConfig(git.cwd, options.env);
  const config: ReleaseConfig = { ...loaded, ...options.overrides };
  // Validated before anything is read or sent: a bad sharing setting stops the command at once.
  const notify = resolveNotifyConfig(env, config, block);
  const { remotes } = await steps.run('preflight', () => preflight(checkout, config, options.dryRun));
  const [staging, production] = await Promise.all([
    steps.run(`check ${config.stagingRemote}`, () => deployedSha(git, config.stagingRemote, config.base, true)),
    needs.production ? steps.run(`check ${config.productionRemote}`, () => deployedSha(git, config.productionRemote, config.base, true)) : Promise.resolve(null),
    steps.run(`fetch ${config.remote}`, () => fetchBranches(checkout, config, say)),
  ]);
  const { base, head } = await steps.run('check branches', () => resolveBranches(git, config, releaseDate(options.now)));
  const tag = await newestRelease(git, config.tagPrefix, base.sha);
  if (!tag) throw new UserError(`${config.remote}/${config.base} has no release yet`, { hint: 'run npm run release:cut first', exitCode: ExitCode.usage });
  const store = new RecordStore(git, config.remote, config.recordRef);
  const originUrl = remotes.get(config.remote) ?? null;
  const commit = (await git.commitOf(`refs/tags/${tag}`))!;
  const record = await store.read<ReleaseReport>(commit);
  const report = record?.report ?? (await reportFromGit(git, config, tag, commit, originUrl));
  if (!report) throw fail(`${tag} has no report: it is not a release merge of this toolkit`, 'cut releases with npm run release:cut');
  const events = record?.events ?? [];
  const fixes = await fixesSinceAnnounced(git, config, base.sha, commit, events);
  return {
    checkout, git, config, notify, store, originUrl, base, head, recordTip: await store.tip(),
    release: { tag, commit, report: { ...report, tag, releaseCommit: commit, dryRun: false }, events },
    fixes,
    deployed: { staging, production },
  };
}
