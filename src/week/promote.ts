import { ExitCode, UserError } from '../errors.js';
import { eventsOf, type RecordEvent } from '../record/record.js';
import { fail } from '../release/checkout.js';
import { recordDeploy, appendEvents, type DeployCheck } from '../release/deploy.js';
import { acquireLock } from '../release/lock.js';
import { pushDeployment } from '../release/push.js';
import type { ChannelResult, ReleaseReport } from '../release/report.js';
import { stagedGroupings, withFixes } from '../release/fixes.js';
import { readWeek, type ShareWeek, type WeekOptions } from './state.js';

/** The trailer on the commits release:promote makes for production alone (a rollback, a return after one). */
const PROMOTE_TRAILER = 'Release-Promote';

export interface PromoteOptions extends WeekOptions {
  /** The release to promote; the newest on main by default. An older one is a rollback. */
  tag: string | null;
  confirm: ((plan: PromotePlan) => Promise<boolean>) | null;
  verifyTimeoutMs?: number;
  share: ShareWeek;
}

/**
 * How production gets the tested commit without a force push: a fast-forward when production's
 * main is behind it (or absent); otherwise (a rollback, or a return after one) a commit on top of
 * production's main whose files are the tested commit's, so production's history is never rewritten.
 */
export type ProductionMove = 'fast-forward' | 'on-top' | 'already-there';

export interface PromotePlan {
  tag: string;
  /** The commit QA tested: what staging ran for that release. */
  tested: string;
  production: string | null;
  move: ProductionMove;
  rollback: boolean;
  headline: string;
  lines: string[];
}

export type PromoteOutcome = {
  status: 'nothing-to-promote' | 'dry-run' | 'promoted' | 'aborted';
  tag: string;
  headline: string;
  tested: string;
  /** What production's main is (to be) afterwards. */
  pushed: string;
  rollback: boolean;
  deploys: DeployCheck[];
  notifications: ChannelResult[];
};

/** The commit QA tested for a release: its last stage's commit, else the release commit. */
export function testedCommit(releaseCommit: string, events: readonly RecordEvent[]): string {
  return eventsOf(events, 'staged').at(-1)?.commit ?? releaseCommit;
}

export function planPromotion(input: { tag: string; tested: string; production: string | null; sameFiles: boolean; testedContainsProduction: boolean; rollback: boolean; productionRemote: string }): PromotePlan {
  const { tag, tested, production } = input;
  const move: ProductionMove = production === tested || (production !== null && input.sameFiles) ? 'already-there'
    : production === null || input.testedContainsProduction ? 'fast-forward' : 'on-top';
  const headline = input.rollback ? `${input.productionRemote} rolled back to ${tag}` : `${tag} in ${input.productionRemote}`;
  const short = (sha: string | null): string => (sha ? sha.slice(0, 7) : 'nothing');
  const lines = [
    input.rollback ? `ROLLBACK: ${input.productionRemote} goes back to ${tag} (${short(tested)}), from ${short(production)}` : `promote ${tag}: the commit QA tested on staging, ${short(tested)}`,
    move === 'already-there' ? `${input.productionRemote} already runs ${tag}'s files (${short(production)}): nothing to push`
      : move === 'fast-forward' ? `push ${short(tested)} to ${input.productionRemote}'s main (a fast-forward from ${short(production)})`
        : `push a commit on top of ${input.productionRemote}'s main (${short(production)}) with ${tag}'s files: no force push, its history stays`,
    `announce "${headline}" on every configured channel; in Jira the version ${tag} is released`,
  ];
  return { tag, tested, production, move, rollback: input.rollback, headline, lines };
}

/**
 * release:promote: the tested commit to production. Refuses when main has moved past what
 * staging runs, or staging does not run the release; an older tag is a rollback. The push is never
 * forced; production is verified against PRODUCTION_URL when set; the promotion goes into the
 * record and is announced once per channel. Re-running finishes what is missing.
 */
export async function runPromote(options: PromoteOptions): Promise<PromoteOutcome> {
  const { say, steps } = options;
  const state = await readWeek(options, { production: true });
  const { git, config, base } = state;
  const releaseLock = acquireLock(state.checkout.commonDir, say);
  try {
    const tag = options.tag ?? state.release.tag;
    const rollback = tag !== state.release.tag;
    const releaseCommit = rollback ? await git.commitOf(`refs/tags/${tag}`) : state.release.commit;
    if (!releaseCommit || !tag.startsWith(config.tagPrefix)) throw new UserError(`there is no release ${tag}`, { hint: `pick one of git tag --list "${config.tagPrefix}*"`, exitCode: ExitCode.usage });
    if (rollback && !(await git.isAncestor(releaseCommit, state.release.commit))) {
      throw fail(`${tag} is not a release before ${state.release.tag} on ${config.base}`, `promote ${state.release.tag} or one of the releases before it`, ExitCode.usage);
    }
    const record = rollback ? await state.store.read<ReleaseReport>(releaseCommit) : { report: state.release.report, events: state.release.events };
    const tested = testedCommit(releaseCommit, record?.events ?? []);
    const staging = state.deployed.staging;
    if (!rollback && staging !== base.sha) {
      throw fail(
        staging && (await git.isAncestor(staging, base.sha).catch(() => false)) ? `${config.base} has moved past what ${config.stagingRemote} runs (${config.base} ${base.sha.slice(0, 7)}, ${config.stagingRemote} ${staging.slice(0, 7)}): QA has not tested it` : `${config.stagingRemote} does not run ${config.base} (${staging?.slice(0, 7) ?? 'nothing'})`,
        'run npm run release:stage so that staging runs main and QA tests it, then promote; nothing was changed',
      );
    }
    if (!rollback && tested !== base.sha) {
      throw fail(`${config.base} has commits the release record does not show as staged (${tested.slice(0, 7)} was the last)`, 'run npm run release:stage first; nothing was changed');
    }
    const production = state.deployed.production;
    const treeOf = (commit: string): Promise<string | null> => git.output(['rev-parse', `${commit}^{tree}`]).catch(() => null);
    // production's commit may be one this clone lacks (made elsewhere): then it is not in main's history either.
    const [sameFiles, testedContainsProduction] = production
      ? await Promise.all([Promise.all([treeOf(production), treeOf(tested)]).then(([a, b]) => a !== null && a === b), git.isAncestor(production, tested).catch(() => false)])
      : [false, false];
    const plan = planPromotion({ tag, tested, production, sameFiles, testedContainsProduction, rollback, productionRemote: config.productionRemote });
    for (const line of plan.lines) say(`plan: ${line}`);
    const report = withFixes({ ...(record?.report ?? state.release.report), tag, releaseCommit, announces: 'production' }, stagedGroupings(record?.events ?? [], config.jiraBaseUrl), plan.headline);
    const outcome = (status: PromoteOutcome['status'], pushed: string, deploys: DeployCheck[] = [], notifications: ChannelResult[] = []): PromoteOutcome => ({
      status, tag, headline: plan.headline, tested, pushed, rollback, deploys, notifications,
    });
    const recording = { store: state.store, releaseCommit, report: { ...report, notifications: undefined, headline: undefined }, say };

    let pushed = tested;
    if (plan.move === 'on-top') {
      const message = `${rollback ? `Roll ${config.productionRemote} back to ${tag}` : `Promote ${tag} to ${config.productionRemote}`}\n\nThe files of ${tested} (${tag}), on top of what ${config.productionRemote} ran.\n\n${PROMOTE_TRAILER}: ${tag}\n`;
      pushed = await git.commitTree((await treeOf(tested))!, [production!], message, false);
    }
    if (options.dryRun) return outcome('dry-run', plan.move === 'already-there' ? production! : pushed);
    if (plan.move === 'already-there') {
      // Pushed before: finish what a previous run may have left (the record, the check, the announcement).
      pushed = production!;
    } else {
      if (options.confirm && !(await options.confirm(plan))) return outcome('aborted', production ?? '');
      const error = await steps.run(`push ${config.productionRemote}`, () => pushDeployment(git, config.productionRemote, `refs/heads/${config.base}`, pushed, say));
      if (error !== null) throw fail(`the push to ${config.productionRemote} failed (${error})`, `nothing reached ${config.productionRemote}; fix it, then re-run npm run release:promote${options.tag ? ` -- ${tag}` : ''}`);
    }
    const promotedAlready = eventsOf(record?.events ?? [], 'promoted').some((event) => event.commit === pushed);
    if (!promotedAlready) {
      await appendEvents(recording, () => [{ event: 'promoted', target: 'production', commit: pushed, ...(rollback ? { rollbackFrom: production } : {}) }], `the promotion of ${tag}`);
    }
    const check = await recordDeploy(recording, { target: 'production', remote: config.productionRemote, commit: pushed, command: 'release:promote' }, config.deployUrls.production, options.verifyTimeoutMs);
    const notifications = await options.share(report, { ...state, release: { tag, commit: releaseCommit, report, events: record?.events ?? [] } }, { scope: `production:${pushed.slice(0, 12)}`, reportFor: () => report, dryRun: false });
    return outcome(plan.move === 'already-there' && promotedAlready ? 'nothing-to-promote' : 'promoted', pushed, check ? [check] : [], notifications);
  } finally {
    releaseLock();
  }
}
