import { loadConfig, resolveNotifyConfig, type Env, type NotifyConfig, type ReleaseConfig } from '../config.js';
import { ExitCode, UserError } from '../errors.js';
import { Git, GitError, gitFailureReason } from '../git.js';
import { searchIssues } from '../jira/client.js';
import { jiraClient, jiraDetailsFor, notReadyCards } from '../jira/details.js';
import { redact } from '../redact.js';
import { recordFetchRefspec, RecordStore } from '../record/store.js';
import { commitAnalyzer } from '../release/analyze.js';
import { isStageCommit } from '../release/notes.js';
import type { ReleaseReport } from '../release/report.js';
import { newestRelease, reportFromGit } from '../release/report-from-git.js';
import { cardsNotReadyFirst, deployedState, PLACES, type CardCommit, type CardDocument, type CurrentDocument, type Place, type PlaceState, type ReleaseSummary } from './render.js';

export interface StatusOptions {
  repoDir: string;
  env: Env;
  /** Read only what this clone already has (no fetch). */
  offline: boolean;
  say: (line: string) => void;
  verbose: boolean;
}

/** What every question needs: the repository, its settings, and each place read from its remote. */
interface Context {
  git: Git;
  config: ReleaseConfig;
  notify: NotifyConfig;
  store: RecordStore;
  places: PlaceState[];
}

const JIRA_KEY = /^[A-Z][A-Z0-9_]+-[1-9][0-9]*$/;

/** Where a place's branch is mirrored here. */
const trackingRef = (place: PlaceState): string => `refs/remotes/${place.remote}/${place.branch}`;

function gitReason(error: unknown): string {
  return error instanceof GitError ? gitFailureReason(error.result) : error instanceof Error ? error.message : String(error);
}

/**
 * Reads every place from its remote at once: origin's branches, tags and release records in one
 * fetch, staging's and production's branch in one each. A remote that is missing or unreadable
 * leaves its place unknown (said, not fatal); origin unreadable is fatal unless `offline`.
 */
async function readPlaces(git: Git, config: ReleaseConfig, offline: boolean, shallow: boolean): Promise<PlaceState[]> {
  const remotes = await git.remotes();
  const places: PlaceState[] = [
    { place: 'develop', remote: config.remote, branch: config.head, sha: null },
    { place: 'main', remote: config.remote, branch: config.base, sha: null },
    { place: 'staging', remote: config.stagingRemote, branch: config.base, sha: null },
    { place: 'production', remote: config.productionRemote, branch: config.base, sha: null },
  ];
  if (!remotes.has(config.remote)) {
    throw new UserError(`there is no git remote named "${config.remote}"`, { hint: `add it with: git remote add ${config.remote} <url> (or pass --remote)`, exitCode: ExitCode.usage });
  }
  const fetches = new Map<string, Promise<string | null>>();
  if (!offline) {
    const originSpecs = [config.head, config.base].map((branch) => `+refs/heads/${branch}:refs/remotes/${config.remote}/${branch}`);
    fetches.set(config.remote, git.run(['fetch', '--no-progress', '--no-auto-maintenance', '--tags', ...(shallow ? ['--unshallow'] : []), '--', config.remote, ...originSpecs, recordFetchRefspec(config.recordRef)], { detached: true })
      .then(() => null, (error: unknown) => {
        throw new UserError(`${config.remote} cannot be read (${gitReason(error)})`, { hint: `check the ${config.remote} remote and your access, or pass --offline to answer from this clone as it is` });
      }));
    for (const remote of [config.stagingRemote, config.productionRemote]) {
      if (!remotes.has(remote) || remote === config.remote) continue;
      // The branch may not exist there yet (no release promoted): fetched by a glob that may match nothing.
      fetches.set(remote, git.run(['fetch', '--no-progress', '--no-auto-maintenance', '--no-tags', '--', remote, `+refs/heads/${config.base}*:refs/remotes/${remote}/${config.base}*`], { detached: true })
        .then(() => null, (error: unknown) => `${remote} cannot be read (${gitReason(error)})`));
    }
  }
  const problems = new Map<string, string | null>();
  await Promise.all([...fetches].map(async ([remote, fetched]) => problems.set(remote, await fetched)));
  const shas = await git.refs(places.map(trackingRef));
  for (const place of places) {
    place.sha = shas.get(trackingRef(place)) ?? null;
    if (place.sha) continue;
    place.problem = problems.get(place.remote) ?? (remotes.has(place.remote) ? `${place.remote} has no branch ${place.branch}` : `no git remote named "${place.remote}"`);
  }
  return places;
}

async function openContext(options: StatusOptions): Promise<Context> {
  const checkout = await Git.open(options.repoDir, options.verbose ? options.say : null);
  const { git } = checkout;
  const { config, env, block } = await loadConfig(git.cwd, options.env);
  const places = await readPlaces(git, config, options.offline, checkout.shallow);
  return { git, config, notify: resolveNotifyConfig(env, config, block), store: new RecordStore(git, config.remote, config.recordRef), places };
}

/** Every commit naming `key` on any place's branch, where each one is, and the card in Jira. */
async function cardStatus(context: Context, key: string): Promise<CardDocument> {
  const { git, config, places } = context;
  const analyze = commitAnalyzer(config);
  // One history walk per distinct tip, all at once: which commits name the key is also where they are.
  const tips = [...new Set(places.flatMap((place) => (place.sha ? [place.sha] : [])))];
  const found = await Promise.all(tips.map((tip) => git.commitsMentioning(key, [tip])));
  const onTip = new Map(tips.map((tip, index) => [tip, new Set(found[index]!.map((commit) => commit.sha))]));
  const naming = [...new Map(found.flat().map((commit) => [commit.sha, commit])).values()]
    .filter((commit) => !isStageCommit(commit.message) && analyze(commit).keys.includes(key));
  const releases = await git.firstTagsContaining(naming.map((commit) => commit.sha), `refs/tags/${config.tagPrefix}*`);
  const unreleasedOnMain = naming.some((commit) => !releases.get(commit.sha) && places.some((place) => place.place === 'main' && place.sha && onTip.get(place.sha)!.has(commit.sha)));
  const stagedIn = unreleasedOnMain ? await stagedFixes(context) : new Map<string, string>();
  const commits = naming.map((commit): CardCommit => ({
    sha: commit.sha,
    subject: commit.subject,
    release: releases.get(commit.sha) ?? stagedIn.get(commit.sha) ?? null,
    places: PLACES.filter((name) => places.some((place) => place.place === name && place.sha && onTip.get(place.sha)!.has(commit.sha))),
  }));
  return { key, commits, ...(await jiraCard(context.notify, key)), placesRead: places };
}

/** QA's fixes on main after a cut belong to that release: sha -> tag, from the newest release's record. */
async function stagedFixes(context: Context): Promise<Map<string, string>> {
  const main = context.places.find((place) => place.place === 'main')!;
  const tag = main.sha ? await newestRelease(context.git, context.config.tagPrefix, main.sha) : null;
  const commit = tag ? await context.git.commitOf(`refs/tags/${tag}`) : null;
  const record = commit ? await context.store.read(commit) : null;
  return new Map((record?.events ?? []).flatMap((event) => (event.event === 'staged' ? event.fixes.map((fix): [string, string] => [fix.sha, tag!]) : [])));
}

async function jiraCard(notify: NotifyConfig, key: string): Promise<Pick<CardDocument, 'jira' | 'jiraProblem'>> {
  const client = jiraClient(notify);
  if (!client) return { jira: null, jiraProblem: `not configured (${notify.jira.on ? '' : notify.jira.reason})` };
  try {
    const issue = (await searchIssues(client, [key], ['status', 'fixVersions'])).get(key);
    if (!issue) return { jira: null, jiraProblem: 'Jira does not know this card' };
    const fields = (issue.fields ?? {}) as { status?: { name?: string }; fixVersions?: { name?: string }[] };
    return { jira: { status: fields.status?.name ?? 'unknown', fixVersions: (fields.fixVersions ?? []).flatMap((version) => (version.name ? [version.name] : [])) } };
  } catch (error) {
    return { jira: null, jiraProblem: redact(`Jira did not answer usefully: ${error instanceof Error ? error.message : String(error)}`, notify.secrets) };
  }
}

/** A release's summary and record from its tag, null when the tag names no release this clone can read. */
async function releaseSummary(context: Context, tag: string): Promise<ReleaseSummary | null> {
  const { git, config, store } = context;
  const commit = await git.commitOf(`refs/tags/${tag}`);
  if (!commit) return null;
  const origin = context.places.find((place) => place.place === 'main')!;
  const record = await store.read<ReleaseReport>(commit);
  const report = record?.report ?? (await reportFromGit(git, config, tag, commit, (await git.remotes()).get(origin.remote) ?? null));
  if (!report) return null;
  return {
    tag,
    date: report.date,
    commit,
    commitCount: report.commitCount,
    cards: report.jira.map((card) => card.key),
    withoutJira: report.withoutJira.length,
    events: record?.events ?? [],
    recorded: record !== null,
  };
}

async function currentStatus(context: Context): Promise<CurrentDocument> {
  const { git, config, places } = context;
  const place = (name: Place): PlaceState => places.find((candidate) => candidate.place === name)!;
  const main = place('main');
  const develop = place('develop');
  const newest = main.sha ? await newestRelease(git, config.tagPrefix, main.sha) : null;
  const release = newest ? await releaseSummary(context, newest) : null;
  const analyze = commitAnalyzer(config);
  const next = { commits: 0, cards: new Set<string>() };
  if (main.sha && develop.sha) {
    for await (const batch of git.commitsBetween(main.sha, develop.sha)) {
      next.commits += batch.length;
      for (const commit of batch) {
        if (isStageCommit(commit.message)) next.commits -= 1;
        else for (const key of analyze(commit).keys) next.cards.add(key);
      }
    }
  }
  const deployments = await Promise.all([place('staging'), place('production')].map(async (deployed) => {
    const known = Boolean(deployed.sha && main.sha);
    const [mainContainsIt, itContainsMain] = known
      ? await Promise.all([git.isAncestor(deployed.sha!, main.sha!).catch(() => false), git.isAncestor(main.sha!, deployed.sha!).catch(() => false)])
      : [false, false];
    return { ...deployed, state: deployedState(deployed.sha, main.sha, mainContainsIt, itContainsMain) };
  }));
  const keys = release?.cards ?? [];
  const details = await jiraDetailsFor(keys, context.notify);
  const notReady = new Set(notReadyCards(keys.map((key) => ({ key })), details, context.notify.readyStatuses).map((card) => card.key));
  const cards = cardsNotReadyFirst(keys.map((key) => {
    const issue = details.available ? details.issues[key] ?? null : null;
    return { key, status: issue?.status ?? null, ready: issue ? !notReady.has(key) : null };
  }));
  return {
    release,
    next: { commits: next.commits, cards: [...next.cards].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })) },
    deployments,
    cards,
    ...(details.available || keys.length === 0 ? {} : { jiraProblem: details.reason ?? 'unavailable' }),
  };
}

export type StatusAnswer =
  | { kind: 'current'; document: CurrentDocument }
  | { kind: 'card'; document: CardDocument }
  | { kind: 'release'; document: ReleaseSummary };

/** `release:status [KEY | tag]`: the question is told apart by its shape. */
export async function answerStatus(question: string | undefined, options: StatusOptions): Promise<StatusAnswer> {
  const context = await openContext(options);
  if (question === undefined) return { kind: 'current', document: await currentStatus(context) };
  if (JIRA_KEY.test(question)) {
    const document = await cardStatus(context, question);
    if (document.commits.length === 0) {
      throw new CardNotFoundError(document, `no commit on ${context.places.filter((place) => place.sha).map((place) => place.place).join(', ') || 'any branch'} names ${question}`);
    }
    return { kind: 'card', document };
  }
  const summary = await releaseSummary(context, question);
  if (summary) return { kind: 'release', document: summary };
  throw new UserError(`"${question}" is neither a Jira key (EPN-123) nor a release tag here`, {
    hint: `ask for a card, or a tag from git tag --list "${context.config.tagPrefix}*"`,
    exitCode: ExitCode.usage,
  });
}

/** A card no commit names: exit 1, with the document (places read) still printed for --json. */
export class CardNotFoundError extends UserError {
  constructor(readonly document: CardDocument, message: string) {
    super(message, { hint: 'check the key, or whether the work was pushed to a branch under review', exitCode: ExitCode.failed });
  }
}
