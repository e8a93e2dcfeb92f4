/**
 * The one Jira client of the cut and the notifiers: Jira Cloud (REST v3, basic auth with an API
 * token) or Data Center/Server (REST v2, a personal access token as Bearer), chosen by
 * configuration. Searches page through every answer and find the keys Jira does not know (or
 * does not show this user) by halving the batch, whatever the error's wording.
 */
import type { JiraSettings } from '../config.js';
import { describeFailure, HttpError, isOk, sendRequest, type HttpLimits, type HttpRequest, type HttpResponse } from '../http.js';

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

class BadQuery extends Error {}

/** Every page of one `key in (...)` search; a 400 (a key unknown or hidden) throws BadQuery. */
async function searchAllPages(client: JiraClient, keys: readonly string[], fields: readonly string[]): Promise<SearchIssue[]> {
  const cloud = client.settings.deployment === 'cloud';
  const issues: SearchIssue[] = [];
  let nextPageToken: string | undefined;
  // Each page brings at least one issue or ends the loop, so keys.length + 1 pages is a bound.
  for (let page = 0; page <= keys.length; page += 1) {
    const response = cloud
      ? await jiraRequest(client, 'POST', 'search/jql', searchBody(keys, fields, nextPageToken))
      : await jiraRequest(client, 'POST', 'search', { jql: searchJql(keys), fields, startAt: issues.length, maxResults: keys.length });
    if (response.status === 400) throw new BadQuery(describeFailure(response));
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
 * `fields` of each of `keys`: null for a key Jira does not know or does not show. A `key in
 * (...)` query with one such key fails as a whole (400, in wordings that vary), so a failing
 * batch is halved until the keys at fault stand alone. When every key fails alone, the fault is
 * the query, not the keys: that is an error, not a release of unknown cards.
 */
export async function searchIssues(client: JiraClient, keys: readonly string[], fields: readonly string[]): Promise<Map<string, SearchIssue | null>> {
  const found = new Map<string, SearchIssue | null>();
  let refusedAlone: string[] = [];
  const search = async (batch: readonly string[]): Promise<void> => {
    try {
      for (const issue of await searchAllPages(client, batch, fields)) if (issue.key) found.set(issue.key, issue);
      for (const key of batch) if (!found.has(key)) found.set(key, null);
    } catch (error) {
      if (!(error instanceof BadQuery)) throw error;
      if (batch.length === 1) {
        found.set(batch[0]!, null);
        refusedAlone = [...refusedAlone, error.message];
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await search(batch.slice(0, half));
      await search(batch.slice(half));
    }
  };
  for (let start = 0; start < keys.length; start += BATCH_SIZE) await search(keys.slice(start, start + BATCH_SIZE));
  if (keys.length > 1 && refusedAlone.length === keys.length) throw new HttpError(`Jira refused the search for each key alone (${refusedAlone[0]})`, 400);
  return found;
}
