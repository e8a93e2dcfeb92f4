import type { RecordEvent } from '../record/record.js';

/** The four places a commit can be, as `places` names them. */
export const PLACES = ['develop', 'main', 'staging', 'production'] as const;
export type Place = (typeof PLACES)[number];

/** One place as read from its remote: the branch's commit, or why it is not known. */
export interface PlaceState {
  place: Place;
  remote: string;
  branch: string;
  sha: string | null;
  /** Why `sha` is null: no such remote, no such branch, or the remote could not be read. */
  problem?: string;
}

export interface CardCommit {
  sha: string;
  subject: string;
  /** The first release whose tag contains the commit, null when none does yet. */
  release: string | null;
  places: Place[];
}

export interface JiraCardState {
  status: string;
  fixVersions: string[];
}

export interface CardDocument {
  key: string;
  commits: CardCommit[];
  /** null: Jira not configured or not answering (`jiraProblem` says which). */
  jira: JiraCardState | null;
  jiraProblem?: string;
  placesRead: PlaceState[];
}

/** Where a deployment stands against main. */
export type Deployed = 'runs main' | 'behind main' | 'ahead of main' | 'diverged from main' | 'unknown';

export interface CurrentDocument {
  release: ReleaseSummary | null;
  /** develop's commits that main lacks: next week's release. */
  next: { commits: number; cards: string[] };
  deployments: (PlaceState & { state: Deployed })[];
  /** The release's cards, those not ready first; status null when Jira did not say. */
  cards: { key: string; status: string | null; ready: boolean | null }[];
  jiraProblem?: string;
}

export interface ReleaseSummary {
  tag: string;
  date: string;
  commit: string;
  commitCount: number;
  cards: string[];
  /** Keys of the cards with no commit left after reverts, and commits without a key. */
  withoutJira: number;
  events: RecordEvent[];
  /** The release has no record (cut before records were kept): its events are unknown. */
  recorded: boolean;
}

const short = (sha: string | null): string => (sha ? sha.slice(0, 7) : '-');

function describeEvent(event: RecordEvent): string {
  switch (event.event) {
    case 'cut': return `cut ${event.tag} at ${short(event.commit)}`;
    case 'claim': return `claimed ${event.channel}${event.takenOverFrom ? ` (taken over from ${event.takenOverFrom})` : ''}`;
    case 'shared': return `${event.channel} ${event.status}: ${event.detail}${event.ref ? ` [${event.ref}]` : ''}`;
    case 'pushed': return `pushed ${short(event.commit)} to ${event.target} (${event.remote}, by ${event.command})`;
    case 'verified': return `${event.target} ${event.status} at ${event.url}: ${event.status === 'verified' ? `serves ${short(event.commit)} after ${Math.round(event.elapsedMs / 1000)} s` : `served ${event.served ?? 'nothing'}`}`;
    case 'staged': return `staged ${short(event.commit)} with ${event.fixes.length} fix${event.fixes.length === 1 ? '' : 'es'}${event.fixes.length ? `: ${[...new Set(event.fixes.flatMap((fix) => fix.keys))].join(', ') || 'no cards'}` : ''}`;
    case 'promoted': return `promoted ${short(event.commit)} to ${event.target}${event.rollbackFrom ? ` (rollback from ${short(event.rollbackFrom)})` : ''}`;
    default: return JSON.stringify(event);
  }
}

export function renderEvents(events: readonly RecordEvent[]): string[] {
  return events.map((event) => `  ${event.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}  ${describeEvent(event)}  (${event.by})`);
}

function renderPlaces(places: readonly PlaceState[]): string[] {
  return places.map((place) => `  ${place.place.padEnd(10)} ${place.remote}/${place.branch} ${place.sha ? short(place.sha) : `unknown: ${place.problem}`}`);
}

export function renderCard(document: CardDocument): string {
  const lines = [`${document.key}: ${document.commits.length} commit${document.commits.length === 1 ? '' : 's'}`];
  if (document.jira) lines.push(`  Jira: ${document.jira.status}; fixVersions: ${document.jira.fixVersions.join(', ') || 'none'}`);
  else if (document.jiraProblem) lines.push(`  Jira: ${document.jiraProblem}`);
  for (const commit of document.commits) {
    lines.push(`  ${short(commit.sha)} ${commit.subject}`);
    lines.push(`      ${commit.release ? `in ${commit.release}` : 'in no release yet'}; on ${commit.places.join(', ') || 'none of the branches read'}`);
  }
  lines.push('Read from:', ...renderPlaces(document.placesRead));
  return `${lines.join('\n')}\n`;
}

export function renderRelease(summary: ReleaseSummary): string {
  const lines = [
    `${summary.tag} (${summary.date}) at ${short(summary.commit)}: ${summary.commitCount} commits, ${summary.cards.length} cards, ${summary.withoutJira} commits without a key`,
    `  cards: ${summary.cards.join(', ') || 'none'}`,
  ];
  if (!summary.recorded) lines.push('  no release record (cut before records were kept): events unknown');
  else lines.push('Events:', ...renderEvents(summary.events));
  return `${lines.join('\n')}\n`;
}

export function renderCurrent(document: CurrentDocument): string {
  const lines: string[] = [];
  lines.push(document.release ? renderRelease(document.release).trimEnd() : 'No release yet.');
  lines.push('Deployments:');
  for (const place of document.deployments) {
    lines.push(`  ${place.place.padEnd(10)} ${place.sha ? `${short(place.sha)} ${place.state}` : `unknown: ${place.problem}`}`);
  }
  lines.push(`Next release (develop has, main lacks): ${document.next.commits} commits, cards: ${document.next.cards.join(', ') || 'none'}`);
  if (document.cards.some((card) => card.status !== null)) {
    lines.push('Cards of the release in Jira:');
    for (const card of document.cards) lines.push(`  ${card.key.padEnd(12)} ${card.status ?? 'unknown'}${card.ready === false ? '  (not done)' : ''}`);
  }
  if (document.jiraProblem) lines.push(`Jira: ${document.jiraProblem}`);
  return `${lines.join('\n')}\n`;
}

/** Not ready first, then unknown, then ready; by key within each. */
export function cardsNotReadyFirst<C extends { key: string; ready: boolean | null }>(cards: readonly C[]): C[] {
  const rank = (card: C): number => (card.ready === false ? 0 : card.ready === null ? 1 : 2);
  return [...cards].sort((a, b) => rank(a) - rank(b) || a.key.localeCompare(b.key, 'en', { numeric: true }));
}

/** Where `sha` stands against main's `mainSha`, from two ancestry answers. */
export function deployedState(sha: string | null, mainSha: string | null, mainContainsIt: boolean, itContainsMain: boolean): Deployed {
  if (!sha || !mainSha) return 'unknown';
  if (sha === mainSha) return 'runs main';
  if (mainContainsIt) return 'behind main';
  if (itContainsMain) return 'ahead of main';
  return 'diverged from main';
}
