import type { ReleaseConfig } from '../config.js';
import type { Git } from '../git.js';
import { RecordStore } from '../record/store.js';
import { commitAnalyzer, type CommitFacts } from './analyze.js';
import { collectFixes, type Fixes } from './fixes.js';
import { isStageCommit } from './notes.js';
import { eventsOf, type RecordEvent } from '../record/record.js';
import { planRelease } from './plan.js';
import type { ReleaseReport } from './report.js';
import { fileUrl, repoWebOf } from './repo-url.js';

/**
 * A finished release's report from git alone, as any clone sees it: the first line of its record
 * (Jira details included), else rebuilt from the release commits (the merge's parents
 * give the range; no Jira details) for a release cut before notes were kept. Null when neither
 * can be had (not a release merge, or a shallow clone whose history would drop cards).
 */
export async function reportFromGit(git: Git, config: ReleaseConfig, tag: string, releaseCommit: string, originUrl: string | null): Promise<ReleaseReport | null> {
  const noted = await new RecordStore(git, config.remote, config.recordRef).read<ReleaseReport>(releaseCommit);
  if (noted) return { ...noted.report, tag, releaseCommit, dryRun: false };
  if (await git.isShallow()) return null;
  const tip = await git.commit(releaseCommit);
  const merge = tip.parents.length === 1 ? await git.commit(tip.parents[0]!) : tip;
  const [baseSha, headSha] = merge.parents;
  if (merge.parents.length !== 2 || !baseSha || !headSha) return null;
  const analyze = commitAnalyzer(config);
  const newestFirst: CommitFacts[] = [];
  for await (const batch of git.commitsBetween(baseSha, headSha)) newestFirst.push(...batch.map(analyze));
  const repo = repoWebOf(originUrl);
  const date = tag.slice(config.tagPrefix.length).replace(/\.\d+$/, '');
  const { report } = planRelease({ config, date, baseSha, headSha, commits: newestFirst.reverse(), existingTags: [], repo });
  return { ...report, tag, releaseCommit, changelogUrl: fileUrl(repo, tag, config.changelogFile), pushed: { origin: true, staging: false } };
}

/** The newest release tag in `mainSha`'s history (tags sorted by their creation), null before the first cut. */
export async function newestRelease(git: Git, tagPrefix: string, mainSha: string): Promise<string | null> {
  const out = await git.output(['for-each-ref', `--merged=${mainSha}`, '--sort=-creatordate', '--count=1', '--format=%(refname:strip=2)', `refs/tags/${tagPrefix}`]);
  return out.split('\n').find(Boolean) ?? null;
}

/**
 * main's commits since a release was last announced: since its last stage recorded in `events`
 * (when still in main's history), else since the release commit; release:stage's own commits left out.
 */
export async function fixesSinceAnnounced(git: Git, config: ReleaseConfig, mainSha: string, releaseCommit: string, events: readonly RecordEvent[]): Promise<Fixes> {
  const lastStaged = eventsOf(events, 'staged').at(-1)?.commit;
  const since = lastStaged && (await git.isAncestor(lastStaged, mainSha).catch(() => false)) ? lastStaged : releaseCommit;
  const analyze = commitAnalyzer(config);
  const newestFirst: CommitFacts[] = [];
  for await (const batch of git.commitsBetween(since, mainSha)) {
    for (const found of batch) if (!isStageCommit(found.message)) newestFirst.push(analyze(found));
  }
  return collectFixes(since, mainSha, newestFirst.reverse(), config.jiraBaseUrl);
}
