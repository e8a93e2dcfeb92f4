/**
 * The one HTTP path of the Jira client and the notifiers (Slack, GitHub): node's fetch with a
 * timeout per attempt; rate limits (429, or GitHub's 403 with Retry-After or an exhausted
 * X-RateLimit-Remaining) waited out and 5xx retried, all inside a bounded total wait.
 */
import { budgetSpentText, type Deadline } from './budget.js';
import type { ProxySettings } from './config.js';
import { remoteReason } from './redact.js';

export interface HttpLimits {
  timeoutMs: number;
  maxRetryWaitMs: number;
  /** Requests go through this proxy (unless NO_PROXY names the host); absent or null: directly. */
  proxy?: ProxySettings | null;
  /** The channel's time budget (or the whole share's): after it no request starts, waits or goes on. */
  deadline?: Deadline;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
}

export interface HttpResponse {
  status: number;
  text: string;
  /** The body parsed as JSON, or null when it is not JSON. */
  json: unknown;
  headers: Headers;
}

/** A request that could not get an answer, or got one that the channel cannot use. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(message: string, readonly status: number | null = null) {
    super(message);
  }
}

/** A request the time budget stopped: not started, or given up while waiting for its answer. */
export class BudgetSpentError extends HttpError {
  constructor(readonly deadline: Deadline, waiting = false) {
    super(`${budgetSpentText(deadline)}${waiting ? ' while waiting for an answer' : ''}`);
  }
}

const MAX_ATTEMPTS = 3;
const SERVER_ERROR_DELAY_MS = 500;

/** Seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

const proxiedFetches = new WeakMap<ProxySettings, Promise<Fetch>>();

/**
 * Node's fetch ignores the proxy variables; undici's EnvHttpProxyAgent applies them as curl does
 * (NO_PROXY's hosts, domains and ports included). Loaded only when a proxy is set: it is a large import.
 */
function fetchFor(proxy: ProxySettings | null | undefined): Promise<Fetch> {
  if (!proxy) return Promise.resolve(fetch);
  let proxied = proxiedFetches.get(proxy);
  if (!proxied) {
    proxied = import('undici').then(({ EnvHttpProxyAgent, fetch: undiciFetch }) => {
      // Every value given, even empty, so the agent never reads process.env itself.
      const dispatcher = new EnvHttpProxyAgent({ httpProxy: proxy.httpProxy, httpsProxy: proxy.httpsProxy, noProxy: proxy.noProxy });
      return ((url, init) => undiciFetch(url, { ...(init as object), dispatcher })) as Fetch;
    });
    proxiedFetches.set(proxy, proxied);
  }
  return proxied;
}

/** One request; `cutShortBy` is the deadline that shortened its timeout, if one did (then a timeout is the budget's). */
async function attempt(request: HttpRequest, limits: HttpLimits, cutShortBy: Deadline | null): Promise<HttpResponse> {
  const { timeoutMs } = limits;
  const headers: Record<string, string> = { 'user-agent': 'release-toolkit', ...request.headers };
  if (request.json !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
  let response: Response;
  try {
    const send = await fetchFor(limits.proxy);
    response = await send(request.url, {
      method: request.method,
      headers,
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = error as Error & { cause?: { code?: string; message?: string } };
    if (cause.name === 'TimeoutError' || cause.name === 'AbortError') throw cutShortBy ? new BudgetSpentError(cutShortBy, true) : new HttpError(`no answer within ${timeoutMs} ms`);
    const tls = tlsFailure(cause.cause?.code);
    if (tls) throw new HttpError(tls);
    throw new HttpError(`could not connect (${cause.cause?.code ?? cause.cause?.message ?? cause.message})`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    throw cutShortBy ? new BudgetSpentError(cutShortBy, true) : new HttpError(`the answer did not arrive completely within ${timeoutMs} ms`, response.status);
  }
  return { status: response.status, text, json: parseJson(text), headers: response.headers };
}

/**
 * How long a rate-limited answer asks to wait: Retry-After, else X-RateLimit-Reset (epoch
 * seconds) when no requests remain; null when the answer is not a rate limit.
 */
function rateLimitWaitMs(response: Pick<HttpResponse, 'status' | 'headers'>, now: number = Date.now()): number | null {
  if (response.status !== 429 && response.status !== 403) return null;
  const retryAfter = retryAfterMs(response.headers.get('retry-after'), now);
  if (retryAfter !== null) return retryAfter;
  const reset = Number(response.headers.get('x-ratelimit-reset'));
  if (response.headers.get('x-ratelimit-remaining') === '0' && Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  return response.status === 429 ? 1000 : null;
}

/**
 * Sends `request` and returns the final answer whatever its status; only a missing answer
 * (connection refused, timeout) throws. A rate limit waits as long as it asks and a 5xx briefly,
 * as long as the total wait stays within `maxRetryWaitMs`.
 */
export async function sendRequest(request: HttpRequest, limits: HttpLimits): Promise<HttpResponse> {
  const { deadline } = limits;
  let waited = 0;
  const left = (): number => (deadline === undefined ? Infinity : deadline.at - Date.now());
  for (let tries = 1; ; tries += 1) {
    if (left() <= 0) throw new BudgetSpentError(deadline!);
    const cutShortBy = left() < limits.timeoutMs ? deadline! : null;
    const response = await attempt(request, { ...limits, timeoutMs: Math.min(limits.timeoutMs, left()) }, cutShortBy);
    const wait = rateLimitWaitMs(response) ?? (response.status >= 500 ? SERVER_ERROR_DELAY_MS : null);
    if (wait === null || tries >= MAX_ATTEMPTS || waited + wait > limits.maxRetryWaitMs) return response;
    // A wait the retry rules allow but the budget does not: the budget stopped it, not the service.
    if (wait >= left()) throw new BudgetSpentError(deadline!);
    await sleep(wait);
    waited += wait;
  }
}

/** Node's TLS verification codes, said as a person would; null for any other code. */
const TLS_FAILURES: Record<string, string> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another host name',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a self-signed certificate this machine does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is signed by an authority this machine does not know (NODE_EXTRA_CA_CERTS adds one)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is signed by an authority this machine does not know (NODE_EXTRA_CA_CERTS adds one)',
  CERT_REVOKED: 'its certificate has been revoked',
};

/** "the server's TLS certificate was refused: …" for a TLS verification code (fetch and SMTP alike), else null. */
export function tlsFailure(code: string | undefined): string | null {
  if (!code) return null;
  const reason = TLS_FAILURES[code] ?? (/^(ERR_TLS_|ERR_SSL_|CERT_)/.test(code) ? `TLS failed (${code})` : null);
  return reason ? `the server's TLS certificate was refused: ${reason}` : null;
}

/** What a status means when the answer's body cannot say it (an HTML page: a login form, a proxy's error page). */
const STATUS_MEANING: Record<number, string> = {
  401: 'authentication failed', 403: 'access refused', 404: 'not found', 407: 'the proxy requires authentication',
  429: 'too many requests', 502: 'bad gateway', 503: 'service unavailable', 504: 'gateway timeout',
};

/** GitHub's `errors[]` of a 422: `tag_name: already_exists`, or the message of a `custom` one. */
function fieldErrorsOf(errors: unknown): string[] {
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((error: unknown) => {
    if (typeof error === 'string') return [error];
    const { field, code, message } = (error ?? {}) as { field?: unknown; code?: unknown; message?: unknown };
    const what = typeof message === 'string' && (code === 'custom' || typeof code !== 'string') ? message : typeof code === 'string' ? code : '';
    return what ? [typeof field === 'string' ? `${field}: ${what}` : what] : [];
  });
}

/**
 * "HTTP 403: invalid_token": the status and a short reason from the answer's error text, never
 * the whole body (a service may echo the request, credentials included), and never markup: an
 * HTML page (a login form in place of the API) is said by its status alone.
 */
export function describeFailure(response: Pick<HttpResponse, 'status' | 'text' | 'json'> & { headers?: Headers }): string {
  const body = response.json as { message?: unknown; errorMessages?: unknown; errors?: unknown; error?: unknown } | null;
  const fieldErrors = body?.errors && typeof body.errors === 'object' && !Array.isArray(body.errors) ? Object.values(body.errors).filter((value) => typeof value === 'string') : [];
  const markup = response.json === null && /^\s*</.test(response.text);
  const listed = fieldErrorsOf(body?.errors);
  const detail = typeof body?.message === 'string' ? `${body.message}${listed.length > 0 ? ` (${listed.join(', ')})` : ''}`
    : Array.isArray(body?.errorMessages) && body.errorMessages.length > 0 ? String(body.errorMessages[0])
      : fieldErrors.length > 0 ? String(fieldErrors[0])
        : typeof body?.error === 'string' ? body.error
          : markup ? STATUS_MEANING[response.status] ?? 'an HTML page instead of the API\'s answer'
            : response.json === null ? response.text : '';
  const reason = remoteReason(detail);
  const rateLimited = response.status === 429 || (response.headers && rateLimitWaitMs({ status: response.status, headers: response.headers }) !== null) ? ' (rate limited)' : '';
  return `HTTP ${response.status}${rateLimited}${reason ? `: ${reason}` : ''}`;
}

export function isOk(response: HttpResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

/** The answer when it is a 2xx, else an HttpError describing it. */
export async function sendExpectingOk(request: HttpRequest, limits: HttpLimits): Promise<HttpResponse> {
  const response = await sendRequest(request, limits);
  if (!isOk(response)) throw new HttpError(describeFailure(response), response.status);
  return response;
}
