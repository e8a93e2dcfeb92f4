import path from 'node:path';
import { loadConfig, resolveNotifyConfig, type Env, type NotifyConfig, type ReleaseConfig } from '../config.js';
import { ExitCode, UserError } from '../errors.js';
import { Git, GitError, type Checkout, type RefUpdate } from '../git.js';
import { jiraDetailsFor, type JiraDetails } from '../notify/jira.js';
import { notifyRelease } from '../notify/notify.js';
import { redact } from '../redact.js';
import { commitAnalyzer, type CommitFacts } from './analyze.js';
import { acquireLock } from './lock.js';
import { planRelease, releaseDate, renderPlannedChangelog, withJiraDetails, type PlannedChangelog, type ReleasePlan } from './plan.js';
import { readReport, writeReport, type ReleaseReport } from './report.js';
import { repoWebOf } from './repo-url.js';
import type { Steps } from './steps.js';

export interface CutOptions {
  repoDir: string;
  dryRun: boolean;
  /** Asked once, after the plan is shown; answers whether to go ahead. */
  confirm: ((question: string) => Promise<boolean>) | null;
  overrides: Partial<Pick<ReleaseConfig, 'base' | 'head' | 'remote' | 'stagingRemote'>>;
  now: Date;
  env: Env;
  steps: Steps;
  /** Progress lines and warnings (stderr). */
  say: (line: string) => void;
  verbose: boolean;
}

export type CutOutcome =
  | { status: 'nothing-to-release'; base: string; head: string; baseSha: string; headSha: string }
  | { status: 'dry-run' | 'released' | 'staging-retried' | 'aborted'; report: ReleaseReport; reportFile: string | null; changelogPreview?: () => Promise<string> };

/** A branch as the cut will use it: the local ref, and the sha the release builds on. */
interface Branch {
  name: string;
  ref: string;
  localSha: string | null;
  sha: string;
}

function fail(message: string, hint: string, exitCode: number = ExitCode.failed): UserError {
  return new UserError(message, { hint, exitCode });
}

function listFiles(files: readonly string[]): string {
  const shown = files.slice(0, 5).join(', ');
  return files.length > 5 ? `${shown} and ${files.length - 5} more` : shown;
}

async function preflight(checkout: Checkout, config: ReleaseConfig, dryRun: boolean): Promise<Map<string, string>> {
  const { git } = checkout;
  const [changed, remotes, ident] = await Promise.all([
    git.changedTrackedFiles(),
    git.remotes(),
    dryRun ? 'not needed' : git.committerIdent(),
  ]);
  const operation = Git.operationInProgress(checkout.gitDir);
  if (operation) throw fail(`${operation} is in progress in ${git.cwd}`, 'finish or abort it, then re-run');
  if (changed.length > 0) {
    throw fail(`the working tree has uncommitted changes (${listFiles(changed)})`, 'commit or stash them, then re-run');
  }
  for (const remote of [config.remote, config.stagingRemote]) {
    if (!remotes.has(remote)) {
      throw fail(`there is no git remote named "${remote}"`, `add it with: git remote add ${remote} <url> (or pass --${remote === config.remote ? 'remote' : 'staging-remote'})`, ExitCode.usage);
    }
  }
  if (!ident) {
    throw fail('git does not know who is committing', 'set user.name and user.email (git config user.name "Release Bot"), then re-run');
  }
  return remotes;
}

/**
 * Local branch and origin's copy: fast-forward when strictly behind, refuse when ahead or
 * diverged. Today's release tags come back from the same git call.
 */
async function resolveBranches(git: Git, config: ReleaseConfig, date: string): Promise<{ base: Branch; head: Branch; todaysTags: string[] }> {
  const names = [config.base, config.head];
  const tagPattern = `refs/tags/${config.tagPrefix}${date}*`;
  const refs = await git.refs([...names.flatMap((name) => [`refs/heads/${name}`, `refs/remotes/${config.remote}/${name}`]), tagPattern]);
  const todaysTags = [...refs.keys()].filter((ref) => ref.startsWith('refs/tags/')).map((ref) => ref.slice('refs/tags/'.length));
  const resolve = async (name: string): Promise<Branch> => {
    const ref = `refs/heads/${name}`;
    const localSha = refs.get(ref) ?? null;
    const remoteSha = refs.get(`refs/remotes/${config.remote}/${name}`);
    if (!remoteSha) {
      throw fail(`${config.remote} has no branch "${name}"`, `push it first, or pass --${name === config.base ? 'base' : 'head'} <branch>`, ExitCode.usage);
    }
    if (!localSha || localSha === remoteSha || (await git.isAncestor(localSha, remoteSha))) {
      return { name, ref, localSha, sha: remoteSha };
    }
    const ahead = await git.isAncestor(remoteSha, localSha);
    throw fail(
      ahead
        ? `local ${name} has commits that ${config.remote}/${name} does not have`
        : `local ${name} and ${config.remote}/${name} have diverged`,
      ahead
        ? `only reviewed work is released: push them through review, or reset ${name} to ${config.remote}/${name}, then re-run`
        : `reconcile them (e.g. git checkout ${name} && git reset --hard ${config.remote}/${name} if the local commits are not needed), then re-run`,
    );
  };
  return { base: await resolve(config.base), head: await resolve(config.head), todaysTags };
}

function branchUpdate(branch: Branch, newSha: string): RefUpdate {
  return { ref: branch.ref, oldSha: branch.localSha, newSha };
}

function reversed(update: RefUpdate): RefUpdate {
  return { ref: update.ref, oldSha: update.newSha, newSha: update.oldSha };
}

/**
 * Moves refs in one transaction, and the checked-out work tree with them when its branch
 * moved; registers the exact inverse for rollback.
 */
async function moveRefs(git: Git, steps: Steps, updates: RefUpdate[], currentRef: string | null, reason: string): Promise<void> {
  await git.updateRefs(updates, reason);
  steps.onRollback('local branch and tag updates', () => git.updateRefs(updates.map(reversed), `${reason} (rolled back)`));
  const checkedOut = updates.find((update) => update.ref === currentRef);
  if (checkedOut?.oldSha && checkedOut.newSha) {
    const { oldSha, newSha } = checkedOut;
    await git.moveWorkTree(oldSha, newSha);
    steps.onRollback('work tree update', () => git.moveWorkTree(newSha, oldSha));
  }
}

function gitErrorDetail(error: unknown): string {
  return error instanceof GitError ? redact(error.result.stderr.trim().split('\n').filter(Boolean).slice(-2).join(' / ')) : String(error);
}

export async function runCut(options: CutOptions): Promise<CutOutcome> {
  const { steps, say } = options;
  const checkout = await Git.open(options.repoDir, options.verbose ? say : null);
  const { git, commonDir, currentRef } = checkout;
  const { config: loaded, env } = await loadConfig(git.cwd, options.env);
  const config: ReleaseConfig = { ...loaded, ...options.overrides };
  const notify = resolveNotifyConfig(env, config);
  const reportsDir = path.join(git.cwd, config.reportsDir);

  const remotes = await steps.run('preflight', () => preflight(checkout, config, options.dryRun));
  const sharing: Sharing = { notify, originUrl: remotes.get(config.remote) ?? null };
  const releaseLock = acquireLock(commonDir, say);
  try {
    const [stagingSha] = await Promise.all([
      steps.run(`check ${config.stagingRemote}`, async () => {
        try {
          return await git.remoteRef(config.stagingRemote, `refs/heads/${config.base}`);
        } catch (error) {
          throw fail(`${config.stagingRemote} is unreachable: ${gitErrorDetail(error)}`, `fix the ${config.stagingRemote} remote (git remote -v) or its network, then re-run; nothing was changed`);
        }
      }),
      steps.run(`fetch ${config.remote}`, async () => {
        try {
          await git.fetch(config.remote);
        } catch (error) {
          throw fail(`git fetch ${config.remote} failed: ${gitErrorDetail(error)}`, `check the ${config.remote} URL and your access, then re-run`);
        }
      }),
    ]);
    const date = releaseDate(options.now);
    const { base, head, todaysTags } = await steps.run('check branches', () => resolveBranches(git, config, date));
    const fastForwards = [base, head].filter((branch) => branch.localSha !== branch.sha).map((branch) => branchUpdate(branch, branch.sha));

    const commits = await steps.run('collect commits', async () => {
      const analyze = commitAnalyzer(config);
      const newestFirst: CommitFacts[] = [];
      for await (const batch of git.commitsBetween(base.sha, head.sha)) {
        for (const commit of batch) newestFirst.push(analyze(commit));
      }
      return newestFirst.reverse();
    });
    if (commits.length === 0) {
      return await finishedRelease(git, options, config, { base, head, stagingSha, fastForwards, currentRef, reportsDir, sharing });
    }
    // When main has nothing develop lacks (no hotfixes), the merge's tree is develop's own and
    // the history walk of a real merge is not needed.
    const merge = await steps.run('merge check', () =>
      commits.some((commit) => commit.parents.includes(base.sha)) ? git.treeOf(head.sha) : git.mergeTree(base.sha, head.sha));
    if (merge.conflicts.length > 0) {
      throw fail(
        `${config.head} and ${config.base} conflict in ${listFiles(merge.conflicts)}`,
        `merge ${config.base} into ${config.head} and resolve the conflicts there (reviewed like any change), then re-run; nothing was changed`,
      );
    }
    const drafted = await steps.run('plan', async () =>
      planRelease({ config, date, baseSha: base.sha, headSha: head.sha, commits, existingTags: todaysTags, repo: repoWebOf(sharing.originUrl) }));
    const plan = withJiraDetails(drafted, await jiraDetails(drafted.grouping.cards.map((card) => card.key), notify, options));
    const plannedChangelog = async (): Promise<PlannedChangelog> => renderPlannedChangelog(plan, await git.readFile(merge.tree, config.changelogFile), config.changelogFile);

    if (options.dryRun) {
      const changelogPreview = async (): Promise<string> => (await plannedChangelog()).section;
      const report: ReleaseReport = { ...plan.report, dryRun: true };
      report.notifications = await notifyRelease(report, notify, { dryRun: true, say, originUrl: sharing.originUrl });
      return { status: 'dry-run', report, reportFile: null, changelogPreview };
    }
    const question = `Release ${plan.tag}: merge ${commits.length} commits from ${config.head} into ${config.base}, push both and the tag to ${config.remote}, then ${config.base} to ${config.stagingRemote}?`;
    if (options.confirm && !(await options.confirm(question))) {
      return { status: 'aborted', report: { ...plan.report, dryRun: true }, reportFile: null };
    }
    const changelog = await steps.run('render changelog', plannedChangelog);
    return await release(git, options, config, { base, head, merge, plan, changelog, currentRef, reportsDir, sharing });
  } finally {
    releaseLock();
  }
}

/** Where the report is shared once the release is on staging. */
interface Sharing {
  notify: NotifyConfig;
  originUrl: string | null;
}

/** Jira's details for the cards; never fails the cut (unconfigured, down or slow Jira gives none). */
async function jiraDetails(keys: string[], notify: NotifyConfig, options: CutOptions): Promise<JiraDetails> {
  if (!notify.jira.on || keys.length === 0) return jiraDetailsFor(keys, notify);
  const details = await options.steps.run('jira details', () => jiraDetailsFor(keys, notify));
  if (!details.available) options.say(`warning: ${details.reason}; the report lists keys and commit subjects only`);
  return details;
}

/** Sends the report to every configured channel and keeps what each did in the report file. */
async function share(report: ReleaseReport, reportsDir: string, sharing: Sharing, options: CutOptions): Promise<string> {
  report.notifications = await notifyRelease(report, sharing.notify, { dryRun: false, say: options.say, originUrl: sharing.originUrl });
  return writeReport(reportsDir, report);
}

interface ReleaseInputs {
  base: Branch;
  head: Branch;
  merge: { tree: string };
  plan: ReleasePlan;
  changelog: PlannedChangelog;
  currentRef: string | null;
  reportsDir: string;
  sharing: Sharing;
}

async function release(git: Git, options: CutOptions, config: ReleaseConfig, inputs: ReleaseInputs): Promise<CutOutcome> {
  const { steps } = options;
  const { base, head, merge, plan, changelog, currentRef, reportsDir } = inputs;
  const tagRef = `refs/tags/${plan.tag}`;
  let releaseCommit = '';
  try {
    await steps.run('commit release', async () => {
      const mergeCommit = await git.commitTree(merge.tree, [base.sha, head.sha], plan.mergeMessage);
      releaseCommit = changelog.changelog === null
        ? mergeCommit
        : await git.commitTree(await git.replaceTopLevelFile(merge.tree, config.changelogFile, changelog.changelog), [mergeCommit], plan.releaseMessage);
      const tagObject = await git.annotatedTag(plan.tag, releaseCommit, plan.tagMessage);
      await moveRefs(git, steps, [
        branchUpdate(base, releaseCommit),
        branchUpdate(head, releaseCommit),
        { ref: tagRef, oldSha: null, newSha: tagObject },
      ], currentRef, `release-cut: ${plan.tag}`);
    });
    await steps.run(`push ${config.remote}`, async () => {
      try {
        await git.push(config.remote, [`${base.ref}:${base.ref}`, `${head.ref}:${head.ref}`, `${tagRef}:${tagRef}`], { atomic: true });
      } catch (error) {
        throw fail(`${config.remote} rejected the release push (${gitErrorDetail(error)})`, 'nothing was released and your branches are as they were; fix the cause and re-run');
      }
    });
  } catch (error) {
    if (!(await steps.rollback())) options.say('rollback was incomplete: check `git reflog` for the branches named above');
    throw error;
  }
  steps.commit();

  const report: ReleaseReport = { ...plan.report, releaseCommit, pushed: { origin: true, staging: false } };
  const stagingError = await pushStaging(git, options, config);
  report.pushed.staging = stagingError === null;
  if (stagingError) throw stagingFailure(config, plan.tag, stagingError, report, await writeReport(reportsDir, report));
  return { status: 'released', report, reportFile: await share(report, reportsDir, inputs.sharing, options) };
}

async function pushStaging(git: Git, options: CutOptions, config: ReleaseConfig): Promise<string | null> {
  try {
    await options.steps.run(`push ${config.stagingRemote}`, () =>
      git.push(config.stagingRemote, [`refs/heads/${config.base}:refs/heads/${config.base}`], { atomic: false }));
    return null;
  } catch (error) {
    if (error instanceof UserError) throw error;
    return gitErrorDetail(error);
  }
}

export class PartialReleaseError extends UserError {
  constructor(message: string, hint: string, readonly report: ReleaseReport, readonly reportFile: string) {
    super(message, { hint, exitCode: ExitCode.partial });
  }
}

function stagingFailure(config: ReleaseConfig, tag: string, reason: string, report: ReleaseReport, reportFile: string): PartialReleaseError {
  return new PartialReleaseError(
    `${tag} is released on ${config.remote}, but the push of ${config.base} to ${config.stagingRemote} failed (${reason})`,
    `fix ${config.stagingRemote}, then re-run the cut: it finds the finished release and only retries the ${config.stagingRemote} push`,
    report,
    reportFile,
  );
}

interface FinishedInputs {
  base: Branch;
  head: Branch;
  stagingSha: string | null;
  fastForwards: RefUpdate[];
  currentRef: string | null;
  reportsDir: string;
  sharing: Sharing;
}

/**
 * Nothing new on develop. Either all is done, or the last cut reached origin but not staging:
 * then only the staging push is retried.
 */
async function finishedRelease(git: Git, options: CutOptions, config: ReleaseConfig, inputs: FinishedInputs): Promise<CutOutcome> {
  const { base, head, stagingSha, fastForwards, currentRef, reportsDir } = inputs;
  if (!options.dryRun && fastForwards.length > 0) {
    await options.steps.run('fast-forward local branches', () => moveRefs(git, options.steps, fastForwards, currentRef, 'release-cut: fast-forward'));
    options.steps.commit();
  }
  const nothing: CutOutcome = { status: 'nothing-to-release', base: config.base, head: config.head, baseSha: base.sha, headSha: head.sha };
  if (stagingSha === base.sha) return nothing;
  const [tag] = await git.tagsPointingAt(base.sha, `${config.tagPrefix}*`);
  if (!tag) return nothing;

  const saved = await readReport(reportsDir, tag);
  const report: ReleaseReport = saved ?? {
    tag, date: '', base: config.base, head: config.head, baseSha: base.sha, headSha: head.sha, range: `${base.sha}..${base.sha}`,
    compareUrl: null, commitCount: 0, jira: [], withoutJira: [], reverted: [], keylessMerges: [], releaseCommit: base.sha,
    dryRun: options.dryRun, pushed: { origin: true, staging: false },
  };
  if (options.dryRun) return { status: 'dry-run', report: { ...report, dryRun: true }, reportFile: null };
  const stagingError = await pushStaging(git, options, config);
  report.pushed = { origin: true, staging: stagingError === null };
  if (stagingError) throw stagingFailure(config, tag, stagingError, report, await writeReport(reportsDir, report));
  return { status: 'staging-retried', report, reportFile: await share(report, reportsDir, inputs.sharing, options) };
}
