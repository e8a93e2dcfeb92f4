import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake server received it. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export interface Answer {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
  /** Answer this late (a slow or hung service). */
  delayMs?: number;
}

export type Route = (request: Received) => Answer | undefined;

/**
 * A real HTTP server on 127.0.0.1 standing in for Jira, Slack and GitHub: every request is
 * recorded; `route` answers it (404 when no route does).
 */
export class FakeHttp {
  readonly received: Received[] = [];
  private readonly sockets = new Set<import('node:net').Socket>();
  private constructor(private readonly server: Server, public route: Route) {}

  static async start(route: Route = () => undefined): Promise<FakeHttp> {
    const server = createServer();
    const fake = new FakeHttp(server, route);
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = body ? JSON.parse(body) : null;
        } catch {
          json = null;
        }
        const received: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json };
        fake.received.push(received);
        const answer = fake.route(received) ?? { status: 404, json: { message: 'Not Found' } };
        const send = (): void => {
          if (res.destroyed) return;
          const payload = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json));
          res.writeHead(answer.status ?? 200, { 'content-type': answer.text === undefined ? 'application/json' : 'text/plain', ...answer.headers });
          res.end(payload);
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  requestsTo(pathPrefix: string): Received[] {
    return this.received.filter((request) => request.path.startsWith(pathPrefix));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A fake server for the length of `test`. */
export async function withFakeHttp(test: (fake: FakeHttp) => Promise<void>): Promise<void> {
  const fake = await FakeHttp.start();
  try {
    await test(fake);
  } finally {
    await fake.stop();
  }
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export interface FakeIssue {
  key: string;
  summary: string;
  type: string;
  status: string;
  assignee?: string;
  /** Version ids already set on the card. */
  fixVersions?: string[];
  /** A card this user may not see: Jira answers as if it did not exist. */
  hidden?: boolean;
  /** Keys it had before it was moved to its project: Jira still finds it by them, under its new key. */
  formerKeys?: string[];
}

/** The status categories of the stand-in's workflow (Jira: new, indeterminate, done). */
export const STATUS_CATEGORY: Record<string, string> = {
  'To Do': 'new', 'In Progress': 'indeterminate', 'Ready for QA': 'indeterminate', 'In QA': 'indeterminate', Done: 'done',
};

export interface FakeTransition {
  id: string;
  name: string;
  /** Statuses it is offered from; empty: from any status (a global transition). */
  from: string[];
  to: string;
}

export const WORKFLOW: FakeTransition[] = [
  { id: '11', name: 'Start', from: ['To Do'], to: 'In Progress' },
  { id: '21', name: 'Ready for QA', from: ['In Progress'], to: 'Ready for QA' },
  { id: '31', name: 'Test', from: ['Ready for QA'], to: 'In QA' },
  { id: '41', name: 'Reopen', from: [], to: 'To Do' },
  { id: '51', name: 'Close', from: ['In QA'], to: 'Done' },
];

export interface FakeVersion {
  id: string;
  name: string;
  projectId: number;
  releaseDate?: string;
  archived?: boolean;
  released?: boolean;
}

export interface FakeJiraOptions {
  /** The Authorization header Jira accepts. */
  auth: string;
  /** `datacenter`: REST v2, POST /rest/api/2/search paged by startAt/total. */
  deployment?: 'cloud' | 'datacenter';
  /** At most this many issues per page, whatever maxResults asks (Jira may send fewer). */
  pageSize?: number;
  /** The 400 a search with an unknown or hidden key gets; Jira's wording varies by version and language. */
  unknownKeyError?: (key: string) => unknown;
  /** How Jira names an unknown or hidden key in the JQL parser's errors and Data Center's search warnings. */
  unknownKeyMessage?: (key: string) => string;
  workflow?: FakeTransition[];
}

/**
 * Jira as its REST API documents it, keeping state across calls: the issue search (Cloud
 * POST /rest/api/3/search/jql paged by nextPageToken until isLast; Data Center POST
 * /rest/api/2/search paged by startAt), project versions (GET /project/{key}/versions, POST
 * /version, PUT /version/{id} to release it), issue edit (PUT /issue/{key} with update.fixVersions add/remove or fields.fixVersions)
 * and transitions (GET/POST /issue/{key}/transitions). A `key in (...)` search with one key
 * Jira does not know, or does not show this user, fails as a whole with a 400, except on Data
 * Center with `validateQuery: "warn"` (or the legacy `false`), where such keys become
 * `warningMessages`. Cloud's JQL parser (POST /rest/api/3/jql/parse?validation=strict|warn|none,
 * `{queries}`) names each such key in the query's `errors`.
 */
export function fakeJira(cards: readonly FakeIssue[], options: FakeJiraOptions): { route: Route; issues: Map<string, FakeIssue>; versions: FakeVersion[] } {
  const issues = new Map(cards.map((card) => [card.key, { ...card, fixVersions: [...(card.fixVersions ?? [])] }]));
  const versions: FakeVersion[] = [];
  const projects = new Map<string, number>();
  for (const key of issues.keys()) {
    const project = key.slice(0, key.lastIndexOf('-'));
    if (!projects.has(project)) projects.set(project, 10_000 + projects.size);
  }
  const api = `/rest/api/${options.deployment === 'datacenter' ? 2 : 3}/`;
  const workflow = options.workflow ?? WORKFLOW;
  const unknownKeyMessage = options.unknownKeyMessage ?? ((key: string) => `Der Wert ${key} ist für das Feld key nicht vorhanden.`);
  const unknownKeyError = options.unknownKeyError ?? ((key: string) => ({ errorMessages: [unknownKeyMessage(key)], errors: {} }));
  const keysOf = (jql: string): string[] => [...jql.matchAll(/"([A-Z][A-Z0-9_]+-\d+)"/g)].map((match) => match[1]!);
  const projectOf = (key: string): string => key.slice(0, key.lastIndexOf('-'));
  const visible = (key: string): FakeIssue | undefined => {
    const issue = issues.get(key) ?? [...issues.values()].find((candidate) => candidate.formerKeys?.includes(key));
    return issue && !issue.hidden ? issue : undefined;
  };
  const render = (issue: FakeIssue, fields: string[]): unknown => {
    const all: Record<string, unknown> = {
      summary: issue.summary,
      issuetype: { name: issue.type },
      status: { name: issue.status, statusCategory: { key: STATUS_CATEGORY[issue.status] ?? 'indeterminate' } },
      assignee: issue.assignee ? { displayName: issue.assignee } : null,
      project: { id: String(projects.get(projectOf(issue.key))), key: projectOf(issue.key) },
      fixVersions: issue.fixVersions!.map((id) => ({ id, name: versions.find((version) => version.id === id)?.name ?? id })),
    };
    return { key: issue.key, fields: Object.fromEntries(fields.filter((field) => field in all).map((field) => [field, all[field]])) };
  };
  const offered = (issue: FakeIssue): FakeTransition[] => workflow.filter((t) => (t.from.length === 0 || t.from.includes(issue.status)) && t.to !== issue.status);

  const route: Route = (request) => {
    if (!request.path.startsWith(api)) return undefined;
    if (request.headers.authorization !== options.auth) return { status: 401, json: { errorMessages: ['Client must be authenticated to access this resource.'] } };
    // Jira's REST resources consume application/json only: another body type is refused before anything is read.
    if ((request.method === 'POST' || request.method === 'PUT') && !/^application\/json\b/.test(request.headers['content-type'] ?? '')) return { status: 415, text: '' };
    const path = request.path.slice(api.length).split('?')[0]!;
    const body = request.json as Record<string, any> | null;

    if (request.method === 'POST' && path === 'jql/parse' && options.deployment !== 'datacenter') {
      const validation = new URL(request.path, 'http://jira').searchParams.get('validation') ?? 'strict';
      if (!['strict', 'warn', 'none'].includes(validation) || !Array.isArray(body?.queries)) return { status: 400, json: { errorMessages: ['Invalid request payload.'] } };
      return {
        json: {
          queries: body.queries.map((query: unknown) => {
            const jql = String(query);
            if (!/^key in \(/.test(jql)) return { query: jql, errors: [`Error in the JQL Query: '${jql}' is not understood.`] };
            const errors = validation === 'none' ? [] : keysOf(jql).filter((key) => !visible(key)).map(unknownKeyMessage);
            return errors.length > 0 ? { query: jql, errors } : { query: jql, structure: { where: { field: { name: 'key' }, operator: 'in' } } };
          }),
        },
      };
    }

    if (request.method === 'POST' && path === (options.deployment === 'datacenter' ? 'search' : 'search/jql')) {
      const jql = String(body?.jql ?? '');
      const keys = keysOf(jql);
      if (!/^key in \(/.test(jql) || keys.length === 0 || !Array.isArray(body?.fields)) return { status: 400, json: { errorMessages: ['Invalid request payload.'] } };
      const warn = options.deployment === 'datacenter' && (body!.validateQuery === 'warn' || body!.validateQuery === false);
      const missing = keys.filter((key) => !visible(key));
      if (missing.length > 0 && !warn) return { status: 400, json: unknownKeyError(missing[0]!) };
      const matching = [...new Set(keys.filter((key) => visible(key)).map((key) => visible(key)!))];
      const size = Math.min(Number(body!.maxResults ?? 50), options.pageSize ?? Infinity);
      if (options.deployment === 'datacenter') {
        const startAt = Number(body!.startAt ?? 0);
        const warnings = missing.length > 0 ? { warningMessages: missing.map(unknownKeyMessage) } : {};
        return { json: { startAt, maxResults: size, total: matching.length, issues: matching.slice(startAt, startAt + size).map((issue) => render(issue, body!.fields)), ...warnings } };
      }
      const offset = body!.nextPageToken ? Number(Buffer.from(String(body!.nextPageToken), 'base64').toString()) : 0;
      const page = matching.slice(offset, offset + size);
      const isLast = offset + size >= matching.length;
      return { json: { issues: page.map((issue) => render(issue, body!.fields)), isLast, ...(isLast ? {} : { nextPageToken: Buffer.from(String(offset + size)).toString('base64') }) } };
    }

    if (request.method === 'GET' && path === 'status') {
      const names = new Set([...Object.keys(STATUS_CATEGORY), ...workflow.map((t) => t.to)]);
      return { json: [...names].map((name, index) => ({ id: String(index + 1), name, statusCategory: { key: STATUS_CATEGORY[name] ?? 'indeterminate' } })) };
    }

    const projectVersions = /^project\/([^/]+)\/versions$/.exec(path);
    if (request.method === 'GET' && projectVersions) {
      const projectId = projects.get(decodeURIComponent(projectVersions[1]!));
      if (projectId === undefined) return { status: 404, json: { errorMessages: ['No project could be found.'] } };
      return { json: versions.filter((version) => version.projectId === projectId).map((version) => ({ ...version, released: version.released ?? false, archived: version.archived ?? false })) };
    }
    if (request.method === 'POST' && path === 'version') {
      const projectId = typeof body?.projectId === 'number' ? body.projectId : projects.get(String(body?.project ?? ''));
      if (typeof body?.name !== 'string' || !body.name || projectId === undefined || ![...projects.values()].includes(projectId)) {
        return { status: 400, json: { errorMessages: [], errors: { project: 'Project must be specified.' } } };
      }
      if (body.releaseDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(body.releaseDate))) return { status: 400, json: { errors: { releaseDate: 'Invalid date format.' } } };
      // Jira compares version names without regard to case.
      if (versions.some((version) => version.projectId === projectId && version.name.toLowerCase() === String(body.name).toLowerCase())) {
        return { status: 400, json: { errorMessages: [], errors: { name: 'A version with this name already exists in this project.' } } };
      }
      const version: FakeVersion = { id: String(20_000 + versions.length), name: body.name, projectId, releaseDate: body.releaseDate };
      versions.push(version);
      return { status: 201, json: version };
    }

    const versionPath = /^version\/(\d+)$/.exec(path);
    if (request.method === 'PUT' && versionPath) {
      const version = versions.find((candidate) => candidate.id === versionPath[1]);
      if (!version) return { status: 404, json: { errorMessages: ['Could not find version for id'] } };
      if (body?.releaseDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(body.releaseDate))) return { status: 400, json: { errors: { releaseDate: 'Invalid date format.' } } };
      if (typeof body?.released === 'boolean') version.released = body.released;
      if (typeof body?.releaseDate === 'string') version.releaseDate = body.releaseDate;
      return { json: { ...version, released: version.released ?? false } };
    }

    const issuePath = /^issue\/([^/]+)(\/transitions)?$/.exec(path);
    const issue = issuePath ? visible(decodeURIComponent(issuePath[1]!)) : undefined;
    if (issuePath && !issue) return { status: 404, json: { errorMessages: ['Issue does not exist or you do not have permission to see it.'] } };
    if (issue && !issuePath![2] && request.method === 'PUT') {
      const projectId = projects.get(projectOf(issue.key));
      const known = (id: unknown): boolean => versions.some((version) => version.id === id && version.projectId === projectId);
      const operations = body?.update?.fixVersions as { add?: { id?: string }; remove?: { id?: string } }[] | undefined;
      const replacement = body?.fields?.fixVersions as { id?: string }[] | undefined;
      if (!operations && !replacement) return { status: 400, json: { errorMessages: ['No fields or updates specified.'] } };
      for (const operation of operations ?? []) {
        const id = operation.add?.id ?? operation.remove?.id;
        if (!known(id)) return { status: 400, json: { errors: { fixVersions: `Version id '${id}' is not valid` } } };
        if (operation.add && !issue.fixVersions!.includes(id!)) issue.fixVersions!.push(id!);
        if (operation.remove) issue.fixVersions = issue.fixVersions!.filter((existing) => existing !== id);
      }
      if (replacement) issue.fixVersions = replacement.map((version) => version.id!).filter(known);
      return { status: 204, text: '' };
    }
    if (issue && !issuePath![2] && request.method === 'GET') {
      const fields = new URL(request.path, 'http://jira').searchParams.get('fields')?.split(',') ?? ['summary'];
      return { json: render(issue, fields) };
    }
    if (issue && issuePath![2] && request.method === 'GET') {
      return { json: { transitions: offered(issue).map((t) => ({ id: t.id, name: t.name, to: { name: t.to, statusCategory: { key: STATUS_CATEGORY[t.to] } } })) } };
    }
    if (issue && issuePath![2] && request.method === 'POST') {
      const transition = offered(issue).find((t) => t.id === body?.transition?.id);
      if (!transition) return { status: 400, json: { errorMessages: [`Transition id '${body?.transition?.id}' is not valid for this issue.`] } };
      issue.status = transition.to;
      return { status: 204, text: '' };
    }
    return undefined;
  };
  return { route, issues, versions };
}

/** The issue search alone, for tests that need nothing else of Jira. */
export function jiraRoute(issues: readonly FakeIssue[], auth: string): Route {
  return fakeJira(issues, { auth }).route;
}

/**
 * Slack's documented limits (docs.slack.dev, Block Kit reference), written here as Slack states
 * them and not taken from the code under test: a message holds at most 50 blocks; a header's
 * plain_text at most 150 characters; a section's text at most 3000, its fields at most 10 of at
 * most 2000; a context at most 10 elements; a text object at least 1 character; a block_id at most 255.
 */
function blockKitProblem(blocks: unknown): string | null {
  if (!Array.isArray(blocks)) return 'invalid_blocks_format';
  if (blocks.length > 50) return 'invalid_blocks';
  const text = (object: unknown, types: string[], max: number): boolean => {
    const { type, text: value } = (object ?? {}) as { type?: unknown; text?: unknown };
    return typeof type === 'string' && types.includes(type) && typeof value === 'string' && value.length >= 1 && value.length <= max;
  };
  for (const block of blocks as Array<Record<string, unknown>>) {
    if (block.block_id !== undefined && (typeof block.block_id !== 'string' || block.block_id.length > 255)) return 'invalid_blocks';
    const fine = block.type === 'header' ? text(block.text, ['plain_text'], 150)
      : block.type === 'section' ? (block.text === undefined || text(block.text, ['plain_text', 'mrkdwn'], 3000))
        && (block.fields === undefined || (Array.isArray(block.fields) && block.fields.length <= 10 && block.fields.every((field) => text(field, ['plain_text', 'mrkdwn'], 2000))))
        && (block.text !== undefined || block.fields !== undefined)
        : block.type === 'context' ? Array.isArray(block.elements) && block.elements.length >= 1 && block.elements.length <= 10 && block.elements.every((element) => text(element, ['plain_text', 'mrkdwn'], 3000))
          : block.type === 'divider';
    if (!fine) return 'invalid_blocks';
  }
  return null;
}

/**
 * An incoming webhook as Slack documents its answers: a POST of JSON (application/json) is
 * answered 200 "ok"; a body that cannot be read as such, HTTP 400 `invalid_payload`; no `text`
 * and no blocks, 400 `no_text`; blocks outside Block Kit's limits, 400 `invalid_blocks` (a
 * `blocks` that is not a list, `invalid_blocks_format`). Answers are plain text, as the webhook's are.
 */
export function slackRoute(webhookPath: string): Route {
  return (request) => {
    if (request.path !== webhookPath) return undefined;
    const refuse = (error: string): Answer => ({ status: 400, text: error });
    if (request.method !== 'POST' || !/^application\/json\b/.test(request.headers['content-type'] ?? '')) return refuse('invalid_payload');
    const body = request.json as { text?: unknown; blocks?: unknown } | null;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return refuse('invalid_payload');
    if (body.text !== undefined && typeof body.text !== 'string') return refuse('invalid_payload');
    const hasBlocks = Array.isArray(body.blocks) && body.blocks.length > 0;
    if (!body.text && !hasBlocks) return refuse('no_text');
    const problem = body.blocks === undefined ? null : blockKitProblem(body.blocks);
    return problem ? refuse(problem) : { status: 200, text: 'ok' };
  };
}

export interface FakeGithubOptions {
  /** Whether the repository has this commit (GitHub knows the pushed ones); by default any full sha. */
  knows?: (sha: string) => boolean;
}

/** The release body limit GitHub enforces (422 "body is too long (maximum is 125000 characters)"). */
const GITHUB_RELEASE_BODY_MAX = 125_000;

/**
 * GitHub's releases API: bearer token, the versioned media type; POST creates a release once per
 * tag (422 already_exists after that), GET .../releases/tags/<tag> finds it, PATCH updates it.
 * A body over 125,000 characters and a target_commitish that is neither a branch (main, develop)
 * nor a commit the repository has are refused with GitHub's 422 Validation Failed.
 */
export function githubRoute(repository: string, token: string, options: FakeGithubOptions = {}): { route: Route; releases: Map<string, { id: number; name: string; body: string; target_commitish?: string }> } {
  const releases = new Map<string, { id: number; name: string; body: string; target_commitish?: string }>();
  const knows = options.knows ?? ((sha: string) => /^[0-9a-f]{40}$/.test(sha));
  const invalid = (field: string, code: string, message?: string): Answer => ({
    status: 422,
    json: { message: 'Validation Failed', errors: [{ resource: 'Release', code, field, ...(message ? { message } : {}) }], documentation_url: 'https://docs.github.com/rest/releases/releases' },
  });
  const base = `/repos/${repository}/releases`;
  const route: Route = (request) => {
    if (!request.path.startsWith(base)) return undefined;
    if (request.headers.authorization !== `Bearer ${token}`) return { status: 401, json: { message: 'Bad credentials' } };
    if (request.headers.accept !== 'application/vnd.github+json' || request.headers['x-github-api-version'] !== '2022-11-28') {
      return { status: 415, json: { message: 'Unsupported media type or API version' } };
    }
    const body = request.json as { tag_name?: string; name?: string; body?: string; target_commitish?: string } | null;
    if (typeof body?.body === 'string' && body.body.length > GITHUB_RELEASE_BODY_MAX) return invalid('body', 'custom', `body is too long (maximum is ${GITHUB_RELEASE_BODY_MAX} characters)`);
    if (request.method === 'POST' && request.path === base) {
      if (!body?.tag_name || typeof body.body !== 'string') return invalid('tag_name', 'missing_field');
      if (releases.has(body.tag_name)) return invalid('tag_name', 'already_exists');
      const target = body.target_commitish;
      if (target !== undefined && !['main', 'develop'].includes(target) && !knows(target)) return invalid('target_commitish', 'invalid');
      const release = { id: releases.size + 1, name: body.name ?? '', body: body.body, ...(target === undefined ? {} : { target_commitish: target }) };
      releases.set(body.tag_name, release);
      return { status: 201, json: { ...release, html_url: `https://github.example/${repository}/releases/${release.id}` } };
    }
    if (request.method === 'GET' && request.path.startsWith(`${base}/tags/`)) {
      const tag = decodeURIComponent(request.path.slice(`${base}/tags/`.length));
      const release = releases.get(tag);
      return release ? { json: release } : { status: 404, json: { message: 'Not Found' } };
    }
    const id = Number(request.path.slice(base.length + 1));
    if (request.method === 'PATCH' && Number.isInteger(id)) {
      const entry = [...releases.values()].find((release) => release.id === id);
      if (!entry) return { status: 404, json: { message: 'Not Found' } };
      Object.assign(entry, { name: body?.name ?? entry.name, body: body?.body ?? entry.body });
      return { json: { ...entry, html_url: `https://github.example/${repository}/releases/${id}` } };
    }
    return undefined;
  };
  return { route, releases };
}

/** The first route that answers. */
export function routes(...all: Route[]): Route {
  return (request) => {
    for (const route of all) {
      const answer = route(request);
      if (answer) return answer;
    }
    return undefined;
  };
}

/** A URL on 127.0.0.1 where nothing listens (a service that is down). */
export async function downUrl(): Promise<string> {
  const fake = await FakeHttp.start();
  const { url } = fake;
  await fake.stop();
  return url;
}
