/**
 * The release managed in Jira: in each project of the released cards a version named after the
 * release (created once, then reused), set as a fixVersion on every card next to the versions it
 * already has, and optionally a workflow transition such as "Ready for QA". Every step reads
 * Jira first, so running it again changes only what is still missing.
 */
import type { JiraReleaseSettings } from '../config.js';
import { HttpError } from '../http.js';
import { jiraExpectingOk, searchIssues, type JiraClient, type SearchIssue } from './client.js';

export interface JiraReleaseInput {
  keys: readonly string[];
  tag: string;
  date: string;
}

/** What was done to one card; `ok` false when a step failed (`did` then says which and why). */
export interface JiraCardOutcome {
  key: string;
  ok: boolean;
  did: string;
}

export interface JiraReleaseOutcome {
  version: string;
  /** Per project: `created`, `reused` (and what about the version it reused), or why it failed. */
  projects: Record<string, string>;
  cards: JiraCardOutcome[];
  /** A setting Jira shows to be wrong (JIRA_TRANSITION naming nothing in this Jira): the channel fails. */
  problem?: string;
  /** The release's version id in each project that has one. */
  versionIds: Record<string, string>;
}

export function versionName(pattern: string, tag: string, date: string): string {
  return pattern.replaceAll('{tag}', tag).replaceAll('{date}', date);
}

const projectOf = (key: string): string => key.slice(0, key.lastIndexOf('-'));

/**
 * The dry run's account of what the Jira step would do, from what the cut already knows (`unknown`:
 * keys Jira said it does not have); reads nothing and changes nothing.
 */
export function describeJiraRelease(input: JiraReleaseInput, settings: JiraReleaseSettings, unknown: ReadonlySet<string> = new Set()): string {
  const name = versionName(settings.versionName, input.tag, input.date);
  const known = input.keys.filter((key) => !unknown.has(key));
  const projects = [...new Set(known.map(projectOf))];
  const lines = [`in ${projects.join(', ') || 'no project'}: create or reuse version "${name}" (release date ${input.date})`];
  for (const key of input.keys) {
    if (unknown.has(key)) {
      lines.push(`${key}: not found in Jira: would be skipped`);
      continue;
    }
    lines.push(`${key}: add fixVersion "${name}", keeping its other versions${settings.transition ? `; move through "${settings.transition}" unless already past it${settings.transitionFrom ? ` (only from ${settings.transitionFrom.join(', ')})` : ''}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

interface VersionRef {
  id?: string;
  name?: string;
  archived?: boolean;
  released?: boolean;
}

/** A version found or made for the release; `note` says what about it the report should show. */
interface ReleaseVersion {
  id: string;
  created: boolean;
  note: string;
}

interface CardFields {
  project?: { id?: string; key?: string };
  fixVersions?: VersionRef[];
  status?: { name?: string; statusCategory?: { key?: string } };
}

/** Status categories in workflow order: a card in a later category is past any status of an earlier one. */
const CATEGORY_RANK: Record<string, number> = { new: 0, indeterminate: 1, done: 2 };

/**
 * The project's version named `name` as Jira compares names (case-insensitively: `Release/2026-12-05`
 * takes the name of `release/2026-12-05`). An archived one is not reused (its cards would vanish from
 * the boards); a released one is reused, and the report says so.
 */
function reusable(version: VersionRef & { id: string }, name: string): ReleaseVersion {
  const named = version.name === name ? '' : ` (named "${version.name}" in Jira)`;
  if (version.archived) throw new HttpError(`version "${version.name}" is archived in Jira: unarchive it, or name this release's version otherwise with JIRA_VERSION_NAME`);
  return { id: version.id, created: false, note: `reused${named}${version.released ? ', already marked released in Jira' : ''}` };
}

async function findOrCreateVersion(client: JiraClient, project: { id?: string; key: string }, name: string, date: string): Promise<ReleaseVersion> {
  const find = async (): Promise<(VersionRef & { id: string }) | undefined> => {
    const versions = (await jiraExpectingOk(client, 'GET', `project/${encodeURIComponent(project.key)}/versions`)).json;
    const found = Array.isArray(versions) ? (versions as VersionRef[]).find((version) => version.name?.toLowerCase() === name.toLowerCase() && version.id) : undefined;
    return found as (VersionRef & { id: string }) | undefined;
  };
  const existing = await find();
  if (existing) return reusable(existing, name);
  try {
    const created = await jiraExpectingOk(client, 'POST', 'version', {
      name,
      ...(project.id ? { projectId: Number(project.id) } : { project: project.key }),
      releaseDate: date,
      description: `Release ${name}, created by the release cut`,
    });
    const id = (created.json as VersionRef | null)?.id;
    if (!id) throw new HttpError('Jira created the version without returning its id');
    return { id, created: true, note: 'created' };
  } catch (error) {
    // Another run may have created it meanwhile (Jira answers 400: the name is taken).
    const raced = await find();
    if (raced) return reusable(raced, name);
    throw error;
  }
}

interface Transition {
  id?: string;
  name?: string;
  to?: { name?: string; statusCategory?: { key?: string } };
}

/** The transitions Jira offered the cards, by name, and the statuses they lead to. */
interface OfferedTransitions {
  names: Set<string>;
  targets: Set<string>;
}

async function moveThrough(client: JiraClient, key: string, fields: CardFields, settings: JiraReleaseSettings & { transition: string }, seen: OfferedTransitions): Promise<string> {
  const wanted = settings.transition;
  const status = fields.status?.name ?? 'unknown';
  const same = (name: string | undefined): boolean => name?.toLowerCase() === wanted.toLowerCase();
  if (same(status)) return `already in "${status}"`;
  const current = CATEGORY_RANK[fields.status?.statusCategory?.key ?? ''];
  if (current === CATEGORY_RANK.done) return `already past "${wanted}" (${status})`;
  if (settings.transitionFrom && !settings.transitionFrom.some((from) => from.toLowerCase() === status.toLowerCase())) {
    return `"${status}" is not one of JIRA_TRANSITION_FROM: left as is`;
  }
  const path = `issue/${encodeURIComponent(key)}/transitions`;
  const offered = ((await jiraExpectingOk(client, 'GET', path)).json as { transitions?: Transition[] } | null)?.transitions ?? [];
  for (const candidate of offered) {
    if (candidate.name) seen.names.add(candidate.name);
    if (candidate.to?.name) seen.targets.add(candidate.to.name);
  }
  const transition = offered.find((candidate) => same(candidate.name)) ?? offered.find((candidate) => same(candidate.to?.name));
  if (transition?.to?.name?.toLowerCase() === status.toLowerCase()) return `already in "${status}"`;
  const target = CATEGORY_RANK[transition?.to?.statusCategory?.key ?? ''];
  if (current !== undefined && target !== undefined && current > target) return `already past "${wanted}" (${status})`;
  const names = offered.map((candidate) => candidate.name).filter(Boolean);
  if (!transition?.id) return `"${wanted}" is not offered from "${status}" (offered: ${names.length > 0 ? names.join(', ') : 'none'}): left as is`;
  await jiraExpectingOk(client, 'POST', path, { transition: { id: transition.id } });
  return `moved through "${wanted}" to "${transition.to?.name ?? wanted}"`;
}

async function releaseCard(client: JiraClient, key: string, issue: SearchIssue | null, version: { id?: string; outcome?: string }, name: string, settings: JiraReleaseSettings, seen: OfferedTransitions): Promise<JiraCardOutcome> {
  if (!issue) return { key, ok: true, did: 'not found in Jira: skipped' };
  const fields = (issue.fields ?? {}) as CardFields;
  const done: string[] = issue.key && issue.key !== key ? [`moved to ${issue.key}`] : [];
  const current = issue.key ?? key;
  try {
    const versionId = version.id;
    // The project's own outcome says why: a card left without a version for lack of time is not done, not failed.
    if (!versionId) throw new HttpError(`no version "${name}" in its project${version.outcome ? ` (${version.outcome})` : ''}`);
    if ((fields.fixVersions ?? []).some((fixVersion) => fixVersion.id === versionId)) {
      done.push(`fixVersion "${name}" already set`);
    } else {
      await jiraExpectingOk(client, 'PUT', `issue/${encodeURIComponent(current)}`, { update: { fixVersions: [{ add: { id: versionId } }] } });
      done.push(`fixVersion "${name}" added`);
    }
    if (settings.transition) done.push(await moveThrough(client, current, fields, { ...settings, transition: settings.transition }, seen));
    return { key, ok: true, did: done.join('; ') };
  } catch (error) {
    done.push(`failed: ${error instanceof Error ? error.message : String(error)}`);
    return { key, ok: false, did: done.join('; ') };
  }
}

/** Runs `work` on each item, at most `limit` at a time, keeping the items' order in the result. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Sets the release's version on every released card (and moves it through the configured
 * transition). Throws only when Jira cannot be read at all; a card that fails is reported as such.
 */
export async function manageJiraRelease(client: JiraClient, input: JiraReleaseInput, settings: JiraReleaseSettings): Promise<JiraReleaseOutcome> {
  const name = versionName(settings.versionName, input.tag, input.date);
  const issues = await searchIssues(client, input.keys, ['project', 'fixVersions', 'status']);
  const projects = new Map<string, { id?: string; key: string }>();
  for (const issue of issues.values()) {
    const project = (issue?.fields as CardFields | undefined)?.project;
    const key = project?.key ?? (issue?.key ? projectOf(issue.key) : undefined);
    if (key && !projects.has(key)) projects.set(key, { id: project?.id, key });
  }
  const versionIds = new Map<string, string>();
  const projectOutcomes: Record<string, string> = {};
  for (const project of projects.values()) {
    try {
      const version = await findOrCreateVersion(client, project, name, input.date);
      versionIds.set(project.key, version.id);
      projectOutcomes[project.key] = version.note;
    } catch (error) {
      projectOutcomes[project.key] = `failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const seen: OfferedTransitions = { names: new Set(), targets: new Set() };
  const cards = await mapLimited(input.keys, 4, (key) => {
    const issue = issues.get(key) ?? null;
    const project = (issue?.fields as CardFields | undefined)?.project?.key ?? projectOf(issue?.key ?? key);
    return releaseCard(client, key, issue, { id: versionIds.get(project), outcome: projectOutcomes[project] }, name, settings, seen);
  });
  const problem = settings.transition ? await unknownTransition(client, settings.transition, seen) : null;
  return { version: name, projects: projectOutcomes, cards, versionIds: Object.fromEntries(versionIds), ...(problem ? { problem } : {}) };
}

/**
 * A JIRA_TRANSITION that no card was offered, by name or by the status it leads to, and that is
 * no status of this Jira either, is a typo, not a workflow that moved on: say so, with the
 * transitions Jira did offer. (Jira's statuses are read only when no card was offered it.)
 */
async function unknownTransition(client: JiraClient, wanted: string, seen: OfferedTransitions): Promise<string | null> {
  const same = (name: string | undefined): boolean => name?.toLowerCase() === wanted.toLowerCase();
  if ([...seen.names, ...seen.targets].some(same)) return null;
  const statuses = (await jiraExpectingOk(client, 'GET', 'status')).json;
  if (Array.isArray(statuses) && (statuses as { name?: string }[]).some((status) => same(status.name))) return null;
  const offered = [...seen.names].sort();
  return `JIRA_TRANSITION "${wanted}" is neither a transition nor a status in this Jira; the transitions offered to these cards: ${offered.length > 0 ? offered.join(', ') : 'none'}`;
}

/**
 * The release in production: its version (found by name in each project of the cards) marked
 * released on `date`, as Jira's "Release" button does. Answers per project what was done.
 */
export async function markVersionReleased(client: JiraClient, projectKeys: readonly string[], name: string, date: string): Promise<Record<string, string>> {
  const outcomes: Record<string, string> = {};
  for (const project of projectKeys) {
    try {
      const versions = (await jiraExpectingOk(client, 'GET', `project/${encodeURIComponent(project)}/versions`)).json;
      const version = Array.isArray(versions) ? (versions as (VersionRef & { released?: boolean })[]).find((candidate) => candidate.name?.toLowerCase() === name.toLowerCase()) : undefined;
      if (!version?.id) {
        outcomes[project] = `failed: no version "${name}"`;
        continue;
      }
      if (version.released) {
        outcomes[project] = 'already released';
        continue;
      }
      await jiraExpectingOk(client, 'PUT', `version/${encodeURIComponent(version.id)}`, { released: true, releaseDate: date });
      outcomes[project] = `released on ${date}`;
    } catch (error) {
      outcomes[project] = `failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return outcomes;
}
