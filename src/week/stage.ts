import { RELEASE_SUBJECT_PREFIX } from '../commit-message.js';
import type { NewEvent } from '../record/record.js';
import { appendToSection } from '../release/changelog-file.js';
import { sectionMarker } from '../release/changelog.js';
import { acquireLock } from '../release/lock.js';
import { branchUpdate, fail, listFiles, moveRefs } from '../release/checkout.js';
import { ConflictError } from '../release/failure.js';
import { recordDeploy, type DeployCheck } from '../release/deploy.js';
import { ReleaseStateError } from '../release/failure.js';
import { releaseDate } from '../release/plan.js';
import { pushRelease, pushDeployment } from '../release/push.js';
import type { ChannelResult } from '../release/report.js';
import { withStageTrailer } from '../release/notes.js';
import { deltaReport, describeFixes, fixesMarker, renderFixesBlock, stagedGroupings, stageHeadline, withFixes, type Fixes } from '../release/fixes.js';
import { readWeek, type WeekOptions, type WeekState, type ShareWeek } from './state.js';

export interface StageOptions extends WeekOptions {
  confirm: ((plan: StagePlan) => Promise<boolean>) | null;
  verifyTimeoutMs?: number;
  /** Shares the stage's delta: each channel once, claimed in the record under the stage's scope. */
  share: ShareWeek;
}

/** What release:stage will do, as it is shown before anything changes. */
export interface StagePlan {
  tag: string;
  fixes: Fixes;
  headline: string;
  /** The block added to the release's CHANGELOG section; null: nothing to add (no fixes, or no section found). */
  changelogBlock: string | null;
  /** develop lacks main: a merge commit (never a squash) brings main's fixes into develop. */
  backMerge: boolean;
  /** staging does not run main. */
  pushDeployment: boolean;
  lines: string[];
}

export type StageOutcome = {
  status: 'nothing-to-stage' | 'dry-run' | 'staged' | 'aborted';
  tag: string;
  headline: string;
  fixes: { sha: string; subject: string; keys: string[] }[];
  main: string;
  develop: string;
  staging: string | null;
  deploys: DeployCheck[];
  notifications: ChannelResult[];
};

/** The stage's plan from the week's state: pure. */
export function planStage(state: WeekState, developHasMain: boolean, changelogBlock: string | null): StagePlan {
  const { config, release, fixes } = state;
  const headline = stageHeadline(release.tag, config.stagingRemote, fixes.commits.length, fixes.grouping.cards.map((card) => card.key));
  const pushDeploymentNeeded = fixes.commits.length > 0 || state.deployed.staging !== state.base.sha;
  const lines = [
    fixes.commits.length > 0
      ? `${fixes.commits.length} commit${fixes.commits.length === 1 ? '' : 's'} on ${config.base} since ${release.tag} was last announced:`
      : `nothing new on ${config.base} since ${release.tag} was last announced`,
    ...fixes.commits.map((commit) => `  ${commit.sha.slice(0, 7)} ${commit.subject}${commit.keys.length ? '' : '  (no Jira key)'}`),
  ];
  if (changelogBlock) lines.push(`add them to the ${release.tag} section of ${config.changelogFile} (a commit on ${config.base})`);
  if (!developHasMain || changelogBlock) lines.push(`merge ${config.base} into ${config.head} (a merge commit) and push both to ${config.remote}`);
  if (pushDeploymentNeeded) lines.push(`push ${config.base} to ${config.stagingRemote}`);
  if (fixes.commits.length > 0) lines.push(`share "${headline}" on every configured channel`);
  return { tag: release.tag, fixes, headline, changelogBlock, backMerge: !developHasMain || changelogBlock !== null, pushDeployment: pushDeploymentNeeded, lines };
}

const fixList = (fixes: Fixes): StageOutcome['fixes'] => fixes.commits.map((commit) => ({ sha: commit.sha, subject: commit.subject, keys: commit.keys }));

/**
 * release:stage: QA's fixes on main reach staging, develop and the notes. Reads the week, plans,
 * shows the plan, then: the fixes' block on the release's CHANGELOG section (a commit on main),
 * main merged into develop, both and the record's `staged` event in one atomic push to origin,
 * main to staging (verified when STAGING_URL is set), and the delta shared once per channel.
 * Re-running after any fault finishes what is missing; with nothing new it changes nothing.
 */
export async function runStage(options: StageOptions): Promise<StageOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await stageOnce(options);
    } catch (error) {
      if (!(error instanceof OriginMovedError) || attempt >= 3) throw error;
      options.say(`${options.overrides.remote ?? 'origin'} moved while this stage was pushed (another stage, or a fix merged into main): nothing was changed here; reading it again`);
    }
  }
}

/** The push was refused as a whole because origin's main, develop or record moved after they were read. */
class OriginMovedError extends Error {}

/** Whether origin's branches or record are no longer what the stage read (read from origin itself). */
async function originMoved(state: WeekState): Promise<boolean> {
  const { git, config, base, head } = state;
  const now = await git.remoteRefs(config.remote, [base.ref, head.ref, config.recordRef]).catch(() => null);
  if (!now) return false;
  return now.get(base.ref) !== base.sha || now.get(head.ref) !== head.sha || (now.get(config.recordRef) ?? null) !== state.recordTip;
}

async function stageOnce(options: StageOptions): Promise<StageOutcome> {
  const { steps, say } = options;
  const state = await readWeek(options, { production: false });
  const { git, config, base, head, release, fixes } = state;
  const releaseLock = acquireLock(state.checkout.commonDir, say);
  try {
    const date = releaseDate(options.now);
    const developHasMain = await git.isAncestor(base.sha, head.sha);
    const block = fixes.commits.length > 0 ? renderFixesBlock(`Fixed on main since ${release.tag} (staged ${date})`, fixes) : null;
    const existing = block ? await git.readFile(base.sha, config.changelogFile) : null;
    const updated = existing && block ? await appendToSection(existing, sectionMarker(release.report.headSha), block, fixesMarker(fixes), config.changelogFile) : null;
    if (block && !updated) say(`warning: ${config.changelogFile} has no section of ${release.tag} (its marker ${sectionMarker(release.report.headSha)} is gone): the fixes are not added there`);
    const plan = planStage(state, developHasMain, updated && existing && !updated.equals(existing) ? block : null);
    const outcome = (status: StageOutcome['status'], main: string, develop: string, deploys: DeployCheck[] = [], notifications: ChannelResult[] = []): StageOutcome => ({
      status, tag: release.tag, headline: plan.headline, fixes: fixList(fixes), main, develop, staging: state.deployed.staging, deploys, notifications,
    });
    for (const line of plan.lines) say(`plan: ${line}`);
    if (fixes.commits.length === 0 && !plan.backMerge && !plan.pushDeployment) {
      const notifications = options.dryRun ? [] : await resumeShare(state, options);
      return outcome('nothing-to-stage', base.sha, head.sha, [], notifications);
    }

    // Objects only until the refs move: a refusal below leaves everything as it was.
    const newMain = plan.changelogBlock
      ? await git.commitTree(await git.replaceTopLevelFile(`${base.sha}^{tree}`, config.changelogFile, updated!), [base.sha], withStageTrailer(`${RELEASE_SUBJECT_PREFIX}${release.tag}\n\nAdd QA's fixes to the ${release.tag} section of ${config.changelogFile}: ${describeFixes(fixes.commits.length, fixes.grouping.cards.map((card) => card.key))}.`, release.tag), false)
      : base.sha;
    let newDevelop = head.sha;
    if (plan.backMerge) {
      const merge = await git.mergeTree(head.sha, newMain);
      if (merge.conflicts.length > 0) {
        throw new ConflictError(
          `merging ${config.base} into ${config.head} conflicts in ${listFiles(merge.conflicts)}`,
          `nothing was changed; resolve it in a merge commit (never a squash): git fetch ${config.remote} && git checkout ${config.head} && git merge --no-ff ${config.remote}/${config.base}, resolve, git commit, git push ${config.remote} ${config.head}; then re-run npm run release:stage`,
          merge.conflicts,
          release.report,
        );
      }
      newDevelop = await git.commitTree(merge.tree, [head.sha, newMain], withStageTrailer(`Merge branch '${config.base}' into ${config.head}\n\nBack-merge of QA's fixes on ${release.tag} (their cards are listed there, not in the next release).`, release.tag), false);
    }
    if (options.dryRun) return outcome('dry-run', newMain, newDevelop);
    if (options.confirm && !(await options.confirm(plan))) return outcome('aborted', base.sha, head.sha);

    if (newMain !== base.sha || newDevelop !== head.sha) {
      try {
        const staged: NewEvent = { event: 'staged', commit: newMain, fixes: fixList(fixes) };
        const record = await state.store.appendedCommit(release.commit, fixes.commits.length > 0 ? [staged] : [], `release-stage: ${release.tag}`, { ...release.report, notifications: undefined });
        const updates = [
          ...(newMain !== base.sha ? [branchUpdate(base, newMain)] : []),
          ...(newDevelop !== head.sha ? [branchUpdate(head, newDevelop)] : []),
          ...(fixes.commits.length > 0 ? [{ ref: config.recordRef, oldSha: record.parent, newSha: record.tip }] : []),
        ];
        await steps.run('commit stage', () => moveRefs(git, steps, updates, `release-stage: ${release.tag}`));
        const pushed = updates.map((update) => ({ ...update, oldSha: update.ref === base.ref ? base.sha : update.ref === head.ref ? head.sha : update.oldSha }));
        await steps.run(`push ${config.remote}`, () => pushRelease(git, config.remote, pushed, config.recordRef, say)).catch(async (error: unknown) => {
          // Two stages at once make the same commits (same tree, parents, message and second): the
          // one that lost the record's race finds origin already staged, and carries on from there.
          if (!(await sameStageOnOrigin(state, newMain, newDevelop))) throw error;
          say(`another release:stage pushed the same ${config.base} and ${config.head} meanwhile: carrying on from there`);
          await state.store.fetch();
        });
      } catch (error) {
        if (!(error instanceof ReleaseStateError) && !(await steps.rollback())) say('rollback was incomplete: check `git reflog` for the branches named above');
        if (!(error instanceof ReleaseStateError) && (await originMoved(state))) throw new OriginMovedError();
        throw error;
      }
      steps.commit();
    }
    const deploys: DeployCheck[] = [];
    if (state.deployed.staging !== newMain) {
      const stagingError = await steps.run(`push ${config.stagingRemote}`, () => pushDeployment(git, config.stagingRemote, `refs/heads/${config.base}`, newMain, say));
      if (stagingError !== null) {
        throw fail(`${config.base} is on ${config.remote} and ${config.head}, but the push to ${config.stagingRemote} failed (${stagingError})`, `fix ${config.stagingRemote}, then re-run npm run release:stage: it pushes staging and shares what is left`, 3);
      }
      const recording = { store: state.store, releaseCommit: release.commit, report: { ...release.report, notifications: undefined }, say };
      const check = await recordDeploy(recording, { target: 'staging', remote: config.stagingRemote, commit: newMain, command: 'release:stage' }, config.deployUrls.staging, options.verifyTimeoutMs);
      if (check) deploys.push(check);
    }
    const notifications = fixes.commits.length > 0 ? await announceStage(state, options, fixes, fixes.commits.length, newMain, [...stagedGroupings(state.release.events, state.config.jiraBaseUrl), fixes.grouping]) : await resumeShare(state, options);
    return { ...outcome('staged', newMain, newDevelop, deploys, notifications), staging: newMain };
  } finally {
    releaseLock();
  }
}

/** Whether origin's main and develop are exactly the stage's commits (read from origin itself). */
async function sameStageOnOrigin(state: WeekState, newMain: string, newDevelop: string): Promise<boolean> {
  const { git, config, base, head } = state;
  const onOrigin = await git.remoteRefs(config.remote, [base.ref, head.ref]).catch(() => null);
  return onOrigin !== null && onOrigin.get(base.ref) === newMain && onOrigin.get(head.ref) === newDevelop;
}

/**
 * A stage announced: the delta (its fixes under the headline) on Slack, email and Jira (the fix
 * cards get the release's fixVersion); the GitHub release gets the whole release with `everyStage`'s
 * fixes. Claimed in the record under the stage's own scope, named by main's commit after it (`tip`).
 */
function announceStage(state: WeekState, options: StageOptions, fixes: Fixes, count: number, tip: string, everyStage: Fixes['grouping'][]): Promise<ChannelResult[]> {
  const headline = stageHeadline(state.release.tag, state.config.stagingRemote, count, fixes.grouping.cards.map((card) => card.key));
  const delta = { ...deltaReport(state.release.report, fixes, headline), commitCount: count };
  const whole = withFixes(state.release.report, everyStage);
  return options.share(delta, state, { scope: `stage:${tip.slice(0, 12)}`, reportFor: (channel) => (channel === 'github' ? whole : delta), dryRun: false });
}

/** A stage whose pushes went through but whose sharing did not finish: share what the record lacks. */
function resumeShare(state: WeekState, options: StageOptions): Promise<ChannelResult[]> {
  const last = state.release.events.filter((event) => event.event === 'staged').at(-1);
  if (!last || last.event !== 'staged' || last.fixes.length === 0) return Promise.resolve([]);
  const grouping = stagedGroupings([last], state.config.jiraBaseUrl)[0]!;
  const fixes: Fixes = { since: state.release.commit, tip: last.commit, commits: [], grouping };
  return announceStage(state, options, fixes, last.fixes.length, last.commit, stagedGroupings(state.release.events, state.config.jiraBaseUrl));
}
