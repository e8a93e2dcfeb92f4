/**
 * The one HTTP path of the notifiers (Jira, Slack, GitHub): node's fetch with a timeout per
 * attempt, 429 Retry-After honoured and 5xx retried, all inside a bounded total wait.
 */
export interface HttpLimits {
  timeoutMs: number;
  maxRetryWaitMs: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH';
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
}

/** A request that could not get an answer, or got one that the channel cannot use. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(message: string, readonly status: number | null = null) {
    super(message);
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

async function attempt(request: HttpRequest, timeoutMs: number): Promise<{ response: HttpResponse; retryAfter: string | null }> {
  const headers: Record<string, string> = { 'user-agent': 'release-toolkit', ...request.headers };
  if (request.json !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = error as Error & { cause?: { code?: string; message?: string } };
    if (cause.name === 'TimeoutError' || cause.name === 'AbortError') throw new HttpError(`no answer within ${timeoutMs} ms`);
    throw new HttpError(`could not connect (${cause.cause?.code ?? cause.cause?.message ?? cause.message})`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    throw new HttpError(`the answer did not arrive completely within ${timeoutMs} ms`, response.status);
  }
  return { response: { status: response.status, text, json: parseJson(text) }, retryAfter: response.headers.get('retry-after') };
}

/**
 * Sends `request` and returns the final answer whatever its status; only a missing answer
 * (connection refused, timeout) throws. 429 waits for Retry-After and 5xx waits briefly, as long
 * as the total wait stays within `maxRetryWaitMs`.
 */
export async function sendRequest(request: HttpRequest, limits: HttpLimits): Promise<HttpResponse> {
  let waited = 0;
  for (let tries = 1; ; tries += 1) {
    const { response, retryAfter } = await attempt(request, limits.timeoutMs);
    const retryable = response.status === 429 || response.status >= 500;
    if (!retryable || tries >= MAX_ATTEMPTS) return response;
    const wait = response.status === 429 ? retryAfterMs(retryAfter) ?? 1000 : SERVER_ERROR_DELAY_MS;
    if (waited + wait > limits.maxRetryWaitMs) return response;
    await sleep(wait);
    waited += wait;
  }
}

/** "HTTP 403: invalid_token", with the first line of the answer's error text. */
export function describeFailure(response: HttpResponse): string {
  const body = response.json as { message?: unknown; errorMessages?: unknown; error?: unknown } | null;
  const detail = typeof body?.message === 'string' ? body.message
    : Array.isArray(body?.errorMessages) && body.errorMessages.length > 0 ? body.errorMessages.join('; ')
      : typeof body?.error === 'string' ? body.error
        : response.text;
  const line = String(detail).split('\n')[0]!.trim().slice(0, 200);
  const rateLimited = response.status === 429 ? ' (rate limited)' : '';
  return `HTTP ${response.status}${rateLimited}${line ? `: ${line}` : ''}`;
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
