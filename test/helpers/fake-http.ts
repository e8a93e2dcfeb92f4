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

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export interface FakeIssue {
  key: string;
  summary: string;
  type: string;
  status: string;
  assignee?: string;
}

/**
 * Jira's POST /rest/api/3/search/jql as documented: basic auth, a JSON body with `jql`
 * (`key in (...)`) and `fields`; a key Jira does not have fails the whole query with a 400
 * naming it, as Jira Cloud does.
 */
export function jiraRoute(issues: readonly FakeIssue[], auth: string): Route {
  return (request) => {
    if (request.method !== 'POST' || request.path !== '/rest/api/3/search/jql') return undefined;
    if (request.headers.authorization !== auth) return { status: 401, json: { errorMessages: ['Client must be authenticated'] } };
    const body = request.json as { jql?: string; fields?: string[] } | null;
    const keys = [...(body?.jql ?? '').matchAll(/"([A-Z][A-Z0-9_]+-\d+)"/g)].map((match) => match[1]!);
    if (!/^key in \(/.test(body?.jql ?? '') || keys.length === 0 || !Array.isArray(body?.fields)) return { status: 400, json: { errorMessages: ['Invalid request payload.'] } };
    const missing = keys.filter((key) => !issues.some((issue) => issue.key === key));
    if (missing.length > 0) return { status: 400, json: { errorMessages: missing.map((key) => `An issue with key '${key}' does not exist for field 'key'.`), errors: {} } };
    return {
      json: {
        issues: issues.filter((issue) => keys.includes(issue.key)).map((issue) => ({
          key: issue.key,
          fields: {
            summary: issue.summary,
            issuetype: { name: issue.type },
            status: { name: issue.status },
            assignee: issue.assignee ? { displayName: issue.assignee } : null,
          },
        })),
        isLast: true,
      },
    };
  };
}

/** An incoming webhook: POST of a JSON body with `text` and `blocks`, answered "ok". */
export function slackRoute(webhookPath: string): Route {
  return (request) => {
    if (request.path !== webhookPath) return undefined;
    const body = request.json as { text?: unknown; blocks?: unknown } | null;
    if (request.method !== 'POST' || typeof body?.text !== 'string' || !Array.isArray(body.blocks)) return { status: 400, text: 'invalid_payload' };
    return { status: 200, text: 'ok' };
  };
}

/**
 * GitHub's releases API: bearer token, the versioned media type; POST creates a release once per
 * tag (422 already_exists after that), GET .../releases/tags/<tag> finds it, PATCH updates it.
 */
export function githubRoute(repository: string, token: string): { route: Route; releases: Map<string, { id: number; name: string; body: string }> } {
  const releases = new Map<string, { id: number; name: string; body: string }>();
  const base = `/repos/${repository}/releases`;
  const route: Route = (request) => {
    if (!request.path.startsWith(base)) return undefined;
    if (request.headers.authorization !== `Bearer ${token}`) return { status: 401, json: { message: 'Bad credentials' } };
    if (request.headers.accept !== 'application/vnd.github+json' || request.headers['x-github-api-version'] !== '2022-11-28') {
      return { status: 415, json: { message: 'Unsupported media type or API version' } };
    }
    const body = request.json as { tag_name?: string; name?: string; body?: string } | null;
    if (request.method === 'POST' && request.path === base) {
      if (!body?.tag_name || typeof body.body !== 'string') return { status: 422, json: { message: 'Validation Failed', errors: [{ field: 'tag_name', code: 'missing_field' }] } };
      if (releases.has(body.tag_name)) return { status: 422, json: { message: 'Validation Failed', errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }] } };
      const release = { id: releases.size + 1, name: body.name ?? '', body: body.body };
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
