/**
 * The one Jira client of the cut and the notifiers: Jira Cloud (REST v3, basic auth with an API
 * token) or Data Center/Server (REST v2, a personal access token as Bearer), chosen by
 * configuration. Searches page through every answer; the keys Jira does not know (or does not
 * show this user) are the ones Jira names.
 */
import type { JiraSettings } from '../config.js';
import { describeFailure, HttpError, isOk, sendRequest, type HttpLimits, type HttpRequest, type HttpResponse } from '../http.js';
import { remoteReason } from '../redact.js';

export interface JiraClient {
  settings: JiraSettings;
  limits: HttpLimits;
}

/** The issue search's batch: one `key in (...)` query per 50 keys. */
const BATCH_SIZE = 50;

function apiUrl(settings: JiraSettings, path: string): string {
  return `${settings.baseUrl}/rest/api/${settings.deployment === 'cloud' ? 3 : 2}/${path}`;
}

function authorization(settings: JiraSettings): string {
  return settings.deployment === 'cloud'
    ? `Basic ${Buffer.from(`${settings.email}:${settings.apiToken}`).toString('base64')}`
    : `Bearer ${settings.apiToken}`;
}

/** One request to Jira's REST API (`path` below /rest/api/<version>/); the answer whatever its status. */
function jiraRequest(client: JiraClient, method: HttpRequest['method'], path: string, json?: unknown): Promise<HttpResponse> {
  return sendRequest({
    method,
    url: apiUrl(client.settings, path),
    headers: { authorization: authorization(client.settings), accept: 'application/json' },
    ...(json === undefined ? {} : { json }),
  }, client.limits);
}

/** The answer when it is a 2xx, else an HttpError with its status and a short reason. */
export async function jiraExpectingOk(client: JiraClient, method: HttpRequest['method'], path: string, json?: unknown): Promise<HttpResponse> {
  const response = await jiraRequest(client, method, path, json);
  if (!isOk(response)) throw new HttpError(describeFailure(response), response.status);
  return response;
}

export interface SearchIssue {
  key?: string;
  fields?: Record<string, unknown>;
}

function searchJql(keys: readonly string[]): string {
  return `key in (${keys.map((key) => `"${key}"`).join(', ')})`;
}

/** Cloud's POST /rest/api/3/search/jql body: the page size is the batch. */
export function searchBody(keys: readonly string[], fields: readonly string[], nextPageToken?: string): Record<string, unknown> {
  return { jql: searchJql(keys), fields, maxResults: keys.length, ...(nextPageToken ? { nextPageToken } : {}) };
}

/** A 400 to a search, with Jira's messages, so the keys it names can be told from other refusals. */
class RefusedSearch extends Error {
  constructor(message: string, readonly messages: readonly string[]) {
    super(message);
  }
}

/** Every message of a Jira error body (`errorMessages`, `errors` by field, `warningMessages`). */
function jiraMessages(body: unknown): string[] {
  const { errorMessages, errors, warningMessages } = (body ?? {}) as { errorMessages?: unknown; errors?: unknown; warningMessages?: unknown };
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
  const byField = errors && typeof errors === 'object' && !Array.isArray(errors) ? Object.values(errors).filter((item): item is string => typeof item === 'string') : list(errors);
  return [...list(errorMessages), ...byField, ...list(warningMessages)];
}

/**
 * The keys of `keys` that a Jira message names ("An issue with key 'EPN-9' does not exist for
 * field 'key'." in English; the key stands whole, whatever the language around it).
 */
export function keysNamedIn(messages: readonly string[], keys: readonly string[]): string[] {
  return keys.filter((key) => messages.some((message) => new RegExp(`(?<![A-Za-z0-9_-])${key}(?![0-9])`).test(message)));
}

/** Every page of one `key in (...)` search; a 400 throws RefusedSearch with Jira's messages. */
async function searchAllPages(client: JiraClient, keys: readonly string[], fields: readonly string[]): Promise<SearchIssue[]> {
  const cloud = client.settings.deployment === 'cloud';
  const issues: SearchIssue[] = [];
  let nextPageToken: string | undefined;
  // Each page brings at least one issue or ends the loop, so keys.length + 1 pages is a bound.
  for (let page = 0; page <= keys.length; page += 1) {
    const response = cloud
      ? await jiraRequest(client, 'POST', 'search/jql', searchBody(keys, fields, nextPageToken))
      // Data Center's `warn`: a key it does not know (or does not show) is a warning and the others are found.
      : await jiraRequest(client, 'POST', 'search', { jql: searchJql(keys), fields, startAt: issues.length, maxResults: keys.length, validateQuery: 'warn' });
    if (response.status === 400) throw new RefusedSearch(describeFailure(response), jiraMessages(response.json));
    if (!isOk(response)) throw new HttpError(describeFailure(response), response.status);
    const body = response.json as { issues?: SearchIssue[]; nextPageToken?: string; isLast?: boolean; total?: number } | null;
    if (!Array.isArray(body?.issues)) throw new HttpError('Jira answered without an issues list');
    issues.push(...body.issues);
    const more = cloud
      ? body.isLast !== true && typeof body.nextPageToken === 'string' && body.nextPageToken !== nextPageToken
      : typeof body.total === 'number' && issues.length < body.total && body.issues.length > 0;
    if (!more) return issues;
    nextPageToken = body.nextPageToken;
  }
  throw new HttpError('Jira kept sending further pages of the search');
}

/**
 * Jira Cloud's search refuses a `key in (...)` query naming a key it does not know or does not
 * show this user; its JQL parser (strict validation, in this user's context) names every such key
 * of every batch in one request. Any error that names none of the keys is the query's fault.
 */
async function unknownKeysOnCloud(client: JiraClient, batches: readonly (readonly string[])[]): Promise<Set<string>> {
  const response = await jiraRequest(client, 'POST', 'jql/parse?validation=strict', { queries: batches.map(searchJql) });
  if (!isOk(response)) throw new HttpError(describeFailure(response), response.status);
  const parsed = (response.json as { queries?: { errors?: unknown }[] } | null)?.queries;
  if (!Array.isArray(parsed) || parsed.length !== batches.length) throw new HttpError("Jira's JQL parser answered without a result for each query");
  const unknown = new Set<string>();
  parsed.forEach((query, index) => {
    for (const message of jiraMessages({ errorMessages: query.errors })) {
      const named = keysNamedIn([message], batches[index]!);
      if (named.length === 0) throw new HttpError(`Jira refused the search: ${remoteReason(message)}`, 400);
      for (const key of named) unknown.add(key);
    }
  });
  return unknown;
}

/**
 * A card moved to another project (EPN-7 is now OPS-77) is found by its old key under its new
 * one; which old key it was, Jira says when each missing key is read alone (it follows a moved
 * key). Only the keys a search left without an answer are read, and only when it found such a card.
 */
async function followMoves(client: JiraClient, missing: readonly string[], fields: readonly string[], found: Map<string, SearchIssue | null>): Promise<void> {
  for (const key of missing) {
    const response = await jiraRequest(client, 'GET', `issue/${encodeURIComponent(key)}?fields=${fields.join(',')}`);
    if (response.status === 404) continue;
    if (!isOk(response)) throw new HttpError(describeFailure(response), response.status);
    const issue = response.json as SearchIssue | null;
    if (issue?.key) found.set(key, issue);
  }
}

/**
 * `fields` of each of `keys`: null for a key Jira does not know or does not show; a moved card's
 * issue carries its new key. Unknown keys
 * are named by Jira (Cloud's JQL parser, Data Center's search warnings), never guessed from a
 * failing search: a search is retried without a key only when Jira's refusal names that key (a
 * card deleted meanwhile), and any other refusal fails at once with Jira's reason.
 */
export async function searchIssues(client: JiraClient, keys: readonly string[], fields: readonly string[]): Promise<Map<string, SearchIssue | null>> {
  const found = new Map<string, SearchIssue | null>();
  const batches: string[][] = [];
  for (let start = 0; start < keys.length; start += BATCH_SIZE) batches.push(keys.slice(start, start + BATCH_SIZE));
  const unknown = client.settings.deployment === 'cloud' && batches.length > 0 ? await unknownKeysOnCloud(client, batches) : new Set<string>();
  for (const key of unknown) found.set(key, null);
  for (const all of batches) {
    let batch = all.filter((key) => !unknown.has(key));
    while (batch.length > 0) {
      try {
        const moved: SearchIssue[] = [];
        for (const issue of await searchAllPages(client, batch, fields)) {
          if (issue.key && batch.includes(issue.key)) found.set(issue.key, issue);
          else moved.push(issue);
        }
        if (moved.length > 0) await followMoves(client, batch.filter((key) => !found.has(key)), fields, found);
        break;
      } catch (error) {
        if (!(error instanceof RefusedSearch)) throw error;
        const named = keysNamedIn(error.messages, batch);
        if (named.length === 0) throw new HttpError(error.message, 400);
        for (const key of named) found.set(key, null);
        batch = batch.filter((key) => !named.includes(key));
      }
    }
    for (const key of all) if (!found.has(key)) found.set(key, null);
  }
  return found;
}
