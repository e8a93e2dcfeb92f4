import path from 'node:path';
import { loadConfig, resolveNotifyConfig, type Env, type NotifyConfig, type ReleaseConfig } from '../config.js';
import { ExitCode, UserError } from '../errors.js';
import { Git, repositoryEnvIn, type RefUpdate, type Signing } from '../git.js';
import { jiraDetailsFor, type JiraDetails } from '../jira/details.js';
import { RecordStore } from '../record/store.js';
import { recordDeploy } from '../release/deploy.js';
import { visible } from '../visible.js';
import { commitAnalyzer, type CommitFacts } from '../release/analyze.js';
import { ConflictError, ReleaseStateError } from '../release/failure.js';
import { branchUpdate, fail, fetchBranches, gitErrorDetail, listFiles, moveRefs, preflight, resolveBranches, type Branch } from '../release/checkout.js';
import type { ShareReport } from '../release/share.js';
import { findLeftover, leftoverRefs, settleLeftover, withoutOrphanTags } from './leftovers.js';
import { acquireLock } from '../release/lock.js';
import { planRelease, releaseDate, renderPlannedChangelog, withJiraDetails, type PlannedChangelog, type ReleasePlan } from '../release/plan.js';
import { readReport, writeReport, type ReleaseReport } from '../release/report.js';
import { fixesSinceAnnounced, newestRelease, reportFromGit } from '../release/report-from-git.js';
import type { Fixes } from '../release/fixes.js';
import { pushRelease, pushDeployment } from '../release/push.js';
import { repoWebOf } from '../release/repo-url.js';
import type { Steps } from '../release/steps.js';

export interface CutOptions {
  repoDir: string;
  dryRun: boolean;
  /** Shown the plan and asked once, before anything changes; answers whether to go ahead. */
  confirm: ((plan: PlannedCut) => Promise<boolean>) | null;
  overrides: Partial<Pick<ReleaseConfig, 'base' | 'head' | 'remote' | 'stagingRemote'>>;
  now: Date;
  env: Env;
  steps: Steps;
  /** Progress lines and warnings (stderr). */
  say: (line: string) => void;
  verbose: boolean;
  /** The notifiers (Slack, email, GitHub, Jira), passed in by the entry point: release/ sits below notify/. */
  share: ShareReport;
  /** --verify-timeout; undefined: the default. */
  verifyTimeoutMs?: number;
}

export type CutOutcome =
  | { status: 'nothing-to-release'; base: string; head: string; baseSha: string; headSha: string; stagingBehind: StagingBehind | null }
  | { status: 'dry-run' | 'released' | 'staging-retried' | 'aborted'; report: ReleaseReport; reportFile: string | null; changelogPreview?: () => Promise<string> };

/** What a release would do, as the confirmation shows it. */
export interface PlannedCut {
  question: string;
  report: ReleaseReport;
  changelogPreview: () => Promise<string>;
}

/** Promise.all that waits for every promise before rejecting with the first failure. */
async function allSettled<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export async function runCut(options: CutOptions): Promise<CutOutcome> {
  const { steps, say } = options;
  const checkout = await Git.open(options.repoDir, options.verbose ? say : null);
  const { git, commonDir } = checkout;
  const ignored = repositoryEnvIn(options.env);
  say(`cutting ${git.cwd}${ignored.length > 0 ? ` (${ignored.join(', ')} in the environment ignored)` : ''}`);
  const { config: loaded, env, block } = await loadConfig(git.cwd, options.env);
  const config: ReleaseConfig = { ...loaded, ...options.overrides };
  const notify = resolveNotifyConfig(env, config, block);
  // Under the git dir, so a release leaves the work tree as clean as it found it.
  const reportsDir = path.join(commonDir, config.reportsDir);

  // Locked first, so that the leftover check reads refs no other cut is moving while the preflight's git calls run.
  const releaseLock = acquireLock(commonDir, say);
  let early: Collecting | null = null;
  try {
    // One git call reads what the leftover check and the early collect start from.
    const tracking = [config.base, config.head].map((branch) => `refs/remotes/${config.remote}/${branch}`) as [string, string];
    const seen = await git.refs([...new Set([...leftoverRefs(config), ...tracking])]);
    // The range as this clone last saw origin, collected while the preflight and the fetch run; used
    // only when the fetch leaves both ends where they were (a shallow clone's history is not whole yet).
    const [seenBase, seenHead] = tracking.map((ref) => seen.get(ref));
    if (!checkout.shallow && seenBase && seenHead) early = collecting(git, config, seenBase, seenHead);
    // Before the fetch: a tag left here unpushed would make it fail ("would clobber existing tag").
    const [{ remotes, signing }, leftover] = await allSettled([
      steps.run('preflight', () => preflight(checkout, config, options.dryRun)),
      findLeftover(git, config, seen),
    ]);
    const sharing: Sharing = { notify, originUrl: remotes.get(config.remote) ?? null, store: new RecordStore(git, config.remote, config.recordRef) };
    if (leftover) {
      await steps.run(`settle ${leftover.tag} left unpushed`, () =>
        settleLeftover(leftover, { git, config, moveRefs: (updates, reason) => moveRefs(git, steps, updates, reason), dryRun: options.dryRun, say }));
    }
    // Both settle before a failure is reported, so the error is the last line the user sees.
    const [stagingSha] = await allSettled([
      steps.run(`check ${config.stagingRemote}`, async () => {
        try {
          return await git.remoteRef(config.stagingRemote, `refs/heads/${config.base}`);
        } catch (error) {
          throw fail(`${config.stagingRemote} is unreachable: ${gitErrorDetail(error)}`, `fix the ${config.stagingRemote} remote (git remote -v) or its network, then re-run; nothing was changed`);
        }
      }),
      steps.run(`fetch ${config.remote}`, () => fetchBranches(checkout, config, say)),
    ]);
    const date = releaseDate(options.now);
    const { base, head, todaysTags } = await steps.run('check branches', () => resolveBranches(git, config, date));
    const existingTags = todaysTags.length === 0 ? todaysTags : await withoutOrphanTags(git, todaysTags, base.sha, options.dryRun, say);
    const fastForwards = [base, head].filter((branch) => branch.localSha !== branch.sha).map((branch) => branchUpdate(branch, branch.sha));

    // Beside the collect: main's fixes since the previous release was last announced (a short walk of main).
    const fixesOnMain = unannouncedFixes(git, config, sharing.store, base.sha);
    fixesOnMain.catch(() => undefined); // its failure is reported where it is awaited
    // Also beside it: develop's tree, which is the merge's when main has nothing develop lacks.
    const headTree = git.treeOf(head.sha);
    headTree.catch(() => undefined); // awaited in the merge check
    const ahead = early?.range === `${base.sha}..${head.sha}` ? early : null;
    if (!ahead) early?.cancel();
    const commits = await steps.run('collect commits', () => (ahead ?? collecting(git, config, base.sha, head.sha)).commits);
    if (commits.length === 0) {
      return await finishedRelease(git, options, config, { base, head, stagingSha, fastForwards, reportsDir, sharing });
    }
    await steps.run(`check ${config.stagingRemote} follows ${config.base}`, () => refuseDivergedStaging(git, config, base.sha, stagingSha, ExitCode.failed));
    // When main has nothing develop lacks (no hotfixes), the merge's tree is develop's own and
    // the history walk of a real merge is not needed. Git works on it while the plan is made.
    const merging = steps.run('merge check', () =>
      commits.some((commit) => commit.parents.includes(base.sha)) ? headTree : git.mergeTree(base.sha, head.sha));
    merging.catch(() => undefined); // awaited below
    const fixedOnMain = await fixesOnMain;
    const drafted = await steps.run('plan', async () =>
      planRelease({ config, date, baseSha: base.sha, headSha: head.sha, commits, existingTags, repo: repoWebOf(sharing.originUrl), fixedOnMain }));
    const merge = await merging;
    if (merge.conflicts.length > 0) {
      throw new ConflictError(
        `${config.head} and ${config.base} conflict in ${listFiles(merge.conflicts)}`,
        `merge ${config.base} into ${config.head} and resolve the conflicts there (reviewed like any change), then re-run; nothing was changed`,
        merge.conflicts,
        { ...drafted.report, dryRun: true },
      );
    }
    const plan = withJiraDetails(drafted, await jiraDetails(drafted.grouping.cards.map((card) => card.key), notify, options), notify.readyStatuses);
    const plannedChangelog = async (): Promise<PlannedChangelog> => renderPlannedChangelog(plan, await git.readFile(merge.tree, config.changelogFile), config.changelogFile);
    const changelogPreview = async (): Promise<string> => (await plannedChangelog()).section;

    if (options.dryRun) {
      const report: ReleaseReport = { ...plan.report, dryRun: true };
      report.notifications = await options.share(report, notify, { dryRun: true, say, originUrl: sharing.originUrl, store: null, claimTimeoutMs: config.claimTimeoutMs });
      return { status: 'dry-run', report, reportFile: null, changelogPreview };
    }
    const question = `Release ${plan.tag}: merge ${commits.length} commits from ${config.head} into ${config.base}, push both and the tag to ${config.remote}, then ${config.base} to ${config.stagingRemote}?`;
    if (options.confirm && !(await options.confirm({ question, report: { ...plan.report, dryRun: true }, changelogPreview }))) {
      return { status: 'aborted', report: { ...plan.report, dryRun: true }, reportFile: null };
    }
    const changelog = await steps.run('render changelog', plannedChangelog);
    return await release(git, options, config, { base, head, merge, plan, changelog, signing, scratchDir: commonDir, reportsDir, sharing });
  } finally {
    early?.cancel();
    releaseLock();
  }
}

/** The commits of a range being read (git log streamed) and analyzed; cancel() stops git. */
interface Collecting {
  range: string;
  commits: Promise<CommitFacts[]>;
  cancel: () => void;
}

function collecting(git: Git, config: ReleaseConfig, baseSha: string, headSha: string): Collecting {
  let cancelled = false;
  const commits = (async () => {
    const analyze = commitAnalyzer(config);
    const newestFirst: CommitFacts[] = [];
    for await (const batch of git.commitsBetween(baseSha, headSha)) {
      if (cancelled) break; // leaving the loop ends git
      for (const commit of batch) newestFirst.push(analyze(commit));
    }
    return newestFirst.reverse();
  })();
  commits.catch(() => undefined); // a collect that fails is reported where it is awaited
  return { range: `${baseSha}..${headSha}`, commits, cancel: () => void (cancelled = true) };
}

/** QA's fixes on main since the previous release that its record never announced (no release:stage ran): the cut lists them. */
async function unannouncedFixes(git: Git, config: ReleaseConfig, store: RecordStore, mainSha: string): Promise<{ since: string; fixes: Fixes } | null> {
  const previous = await newestRelease(git, config.tagPrefix, mainSha);
  const commit = previous ? await git.commitOf(`refs/tags/${previous}`) : null;
  if (!previous || !commit || commit === mainSha) return null;
  const events = (await store.read(commit))?.events ?? [];
  return { since: previous, fixes: await fixesSinceAnnounced(git, config, mainSha, commit, events) };
}

/** Where the report is shared once the release is on staging, and where that is recorded. */
interface Sharing {
  notify: NotifyConfig;
  originUrl: string | null;
  store: RecordStore;
}

/** Jira's details for the cards; never fails the cut (unconfigured, down or slow Jira gives none). */
async function jiraDetails(keys: string[], notify: NotifyConfig, options: CutOptions): Promise<JiraDetails> {
  if (!notify.jira.on || keys.length === 0) return jiraDetailsFor(keys, notify);
  const details = await options.steps.run('jira details', () => jiraDetailsFor(keys, notify));
  if (!details.available) options.say(`warning: ${details.reason}; the report lists keys and commit subjects only`);
  return details;
}

/** Sends the report to every configured channel (each once: see ShareReport) and keeps what each did in the report file. */
async function share(report: ReleaseReport, reportsDir: string, sharing: Sharing, options: CutOptions, claimTimeoutMs: number): Promise<string> {
  report.notifications = await options.share(report, sharing.notify, { dryRun: false, say: options.say, originUrl: sharing.originUrl, store: sharing.store, claimTimeoutMs });
  return writeReport(reportsDir, report);
}

interface ReleaseInputs {
  base: Branch;
  head: Branch;
  merge: { tree: string };
  plan: ReleasePlan;
  changelog: PlannedChangelog;
  signing: Signing;
  /** Where the cut may keep short-lived files (the git dir). */
  scratchDir: string;
  reportsDir: string;
  sharing: Sharing;
}

async function release(git: Git, options: CutOptions, config: ReleaseConfig, inputs: ReleaseInputs): Promise<CutOutcome> {
  const { steps } = options;
  const { base, head, merge, plan, changelog, signing } = inputs;
  const tagRef = `refs/tags/${plan.tag}`;
  let report: ReleaseReport = { ...plan.report };
  try {
    // Pushed with origin's value before each ref, so that a failed push can be judged from origin.
    const pushed = await steps.run('commit release', async () => {
      const mergeCommit = await git.commitTree(merge.tree, [base.sha, head.sha], plan.mergeMessage, signing.commits);
      const releaseCommit = changelog.changelog === null
        ? mergeCommit
        : await git.commitTree(await git.replaceTopLevelFile(merge.tree, config.changelogFile, changelog.changelog), [mergeCommit], plan.releaseMessage, signing.commits);
      const tagObject = await git.annotatedTag(plan.tag, releaseCommit, plan.tagMessage, { sign: signing.tags, scratchDir: inputs.scratchDir });
      report = { ...plan.report, releaseCommit, pushed: { origin: true, staging: false } };
      const { store } = inputs.sharing;
      const recordRef = config.recordRef;
      const notesBefore = await store.tip();
      const record = store.firstRecord({ ...report, notifications: undefined }, [{ event: 'cut', tag: plan.tag, commit: releaseCommit }]);
      const notes = await store.commitNote(notesBefore, releaseCommit, record, `release-cut: report of ${plan.tag}`);
      await moveRefs(git, steps, [
        branchUpdate(base, releaseCommit),
        branchUpdate(head, releaseCommit),
        { ref: tagRef, oldSha: null, newSha: tagObject },
        { ref: recordRef, oldSha: notesBefore, newSha: notes },
      ], `release-cut: ${plan.tag}`);
      return [
        { ref: base.ref, oldSha: base.sha, newSha: releaseCommit },
        { ref: head.ref, oldSha: head.sha, newSha: releaseCommit },
        { ref: tagRef, oldSha: null, newSha: tagObject },
        { ref: recordRef, oldSha: notesBefore, newSha: notes },
      ];
    });
    await steps.run(`push ${config.remote}`, () => pushRelease(git, config.remote, pushed, config.recordRef, options.say));
  } catch (error) {
    // Part of the release on origin, or origin unreadable: the local release is kept for the commands named (or a re-run).
    if (!(error instanceof ReleaseStateError) && !(await steps.rollback())) options.say('rollback was incomplete: check `git reflog` for the branches named above');
    throw error;
  }
  steps.commit();
  return finishOnStaging(git, options, config, report, inputs, 'released');
}

/** The release is on origin: push it to staging, then share it (or say that staging failed, exit 3). */
async function finishOnStaging(git: Git, options: CutOptions, config: ReleaseConfig, report: ReleaseReport, inputs: { reportsDir: string; sharing: Sharing }, status: 'released' | 'staging-retried'): Promise<CutOutcome> {
  const ref = `refs/heads/${config.base}`;
  let stagingError: string | null = null;
  try {
    await options.steps.run(`push ${config.stagingRemote}`, async () => {
      stagingError = await pushDeployment(git, config.stagingRemote, ref, report.releaseCommit!, options.say);
      if (stagingError !== null) throw new Error(stagingError); // only so that the step prints as failed
    });
  } catch (error) {
    if (stagingError === null) throw error;
  }
  report.pushed = { origin: true, staging: stagingError === null };
  if (stagingError !== null) throw stagingFailure(config, report.tag, stagingError, report, await writeReport(inputs.reportsDir, report));
  const recording = { store: inputs.sharing.store, releaseCommit: report.releaseCommit!, report: { ...report, notifications: undefined }, say: options.say };
  const check = await recordDeploy(recording, { target: 'staging', remote: config.stagingRemote, commit: report.releaseCommit!, command: 'release:cut' }, config.deployUrls.staging, options.verifyTimeoutMs);
  if (check) report.deploys = [check];
  return { status, report, reportFile: await share(report, inputs.reportsDir, inputs.sharing, options, config.claimTimeoutMs) };
}

export class PartialReleaseError extends UserError {
  readonly status = 'staging-failed';

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
  reportsDir: string;
  sharing: Sharing;
}

/**
 * Nothing new on develop. Either all is done, or the last cut reached origin but not staging:
 * then only the staging push is retried.
 */
async function finishedRelease(git: Git, options: CutOptions, config: ReleaseConfig, inputs: FinishedInputs): Promise<CutOutcome> {
  const { base, head, stagingSha, fastForwards, reportsDir } = inputs;
  if (!options.dryRun && fastForwards.length > 0) {
    await options.steps.run('fast-forward local branches', () => moveRefs(git, options.steps, fastForwards, 'release-cut: fast-forward'));
    options.steps.commit();
  }
  const nothing = async (): Promise<CutOutcome> => ({
    status: 'nothing-to-release', base: config.base, head: config.head, baseSha: base.sha, headSha: head.sha,
    stagingBehind: stagingSha === base.sha ? null : await stagingLag(git, config, base.sha, stagingSha),
  });
  if (stagingSha === base.sha) return nothing();
  const [tag] = await git.tagsPointingAt(base.sha, `${config.tagPrefix}*`);
  if (!tag) return nothing();

  const known: ReleaseReport = (await readReport(reportsDir, tag)) ?? (await reportFromGit(git, config, tag, base.sha, inputs.sharing.originUrl)) ?? {
    tag, date: '', base: config.base, head: config.head, baseSha: base.sha, headSha: head.sha, range: `${base.sha}..${base.sha}`,
    compareUrl: null, commitCount: 0, jira: [], withoutJira: [], reverted: [], keylessMerges: [], releaseCommit: base.sha,
    dryRun: options.dryRun, pushed: { origin: true, staging: false },
  };
  // A report rebuilt from the release commits has no Jira details: ask Jira now, as the cut did.
  const report = known.jiraDetails?.available ? known : { ...known, jiraDetails: await jiraDetails(known.jira.map((card) => card.key), inputs.sharing.notify, options) };
  await refuseDivergedStaging(git, config, base.sha, stagingSha, ExitCode.partial);
  if (options.dryRun) return { status: 'dry-run', report: { ...report, dryRun: true }, reportFile: null };
  return finishOnStaging(git, options, config, { ...report, releaseCommit: base.sha, dryRun: false }, inputs, 'staging-retried');
}

/** Staging's base is not the released one, yet there is nothing to release: how far off it is and the command that syncs it. */
export interface StagingBehind {
  stagingSha: string | null;
  /** true: staging has commits main lacks, the sync overwrites them. */
  diverged: boolean;
  command: string;
}

/**
 * Staging has commits the base lacks (pushed straight to it): the staging push would be refused
 * after origin took the release. Refused first, naming those commits and both ways out.
 */
async function refuseDivergedStaging(git: Git, config: ReleaseConfig, baseSha: string, stagingSha: string | null, exitCode: number): Promise<void> {
  if (stagingSha === null || stagingSha === baseSha) return;
  const lag = await stagingLag(git, config, baseSha, stagingSha);
  if (!lag.diverged) return;
  if ((await git.commitOf(stagingSha)) === null) await git.fetchObjectsOf(config.stagingRemote, `refs/heads/${config.base}`).catch(() => undefined);
  const commits = await git.oneLines(`${baseSha}..${stagingSha}`, 6).catch(() => [stagingSha.slice(0, 12)]);
  const listed = commits.length > 5 ? [...commits.slice(0, 5), 'and more'] : commits;
  throw fail(
    `${config.stagingRemote}/${config.base} has commits ${config.base} lacks (pushed straight to ${config.stagingRemote}): ${listed.map(visible).join('; ')}`,
    `bring them into ${config.head} through review, or overwrite them on ${config.stagingRemote} with: ${lag.command}; then re-run${exitCode === ExitCode.partial ? '' : '; nothing was changed'}`,
    exitCode,
  );
}

async function stagingLag(git: Git, config: ReleaseConfig, baseSha: string, stagingSha: string | null): Promise<StagingBehind> {
  // Staging's commit may be unknown here; then it is not in main's history either.
  const behind = stagingSha === null || (await git.isAncestor(stagingSha, baseSha).catch(() => false));
  const lease = behind ? '' : `--force-with-lease=refs/heads/${config.base}:${stagingSha} `;
  const push = `git push ${lease}${config.stagingRemote} ${config.remote}/${config.base}:refs/heads/${config.base}`;
  return { stagingSha, diverged: !behind, command: push };
}
