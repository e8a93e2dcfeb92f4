/**
 * Is the pushed commit what the server now runs? Polls `GET <url>/version` (docs/version-contract.md:
 * JSON whose `commit` field holds the full sha the server runs) until it serves the commit or the
 * overall timeout passes. Each request has a timeout of its own, so a server that accepts and never
 * answers cannot hold the poll past the overall timeout. Redirects and TLS are Node's fetch's: a
 * private CA is trusted through NODE_EXTRA_CA_CERTS. Credentials in the URL (userinfo, query
 * values) are sent but never printed.
 */
import { ExitCode, UserError } from '../errors.js';
import { clipText, MASK, remoteReason } from '../redact.js';

export const DEFAULT_VERIFY_TIMEOUT_MS = 300_000;
export const DEFAULT_INTERVAL_MS = 2_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_PROGRESS_EVERY_MS = 5_000;
/** A /version answer is a few dozen bytes; more than this is not one, and is not read further. */
const MAX_BODY_BYTES = 64 * 1024;
const MAX_TIMEOUT_SECONDS = 24 * 60 * 60;

/** `--verify-timeout <seconds>`: a positive number of seconds, as milliseconds. */
export function parseVerifyTimeout(value: string | undefined): number {
  const text = (value ?? '').trim();
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new UserError(`--verify-timeout wants a number of seconds between 1 and ${MAX_TIMEOUT_SECONDS}, got "${clipText(text, 40)}"`, {
      hint: `e.g. --verify-timeout ${DEFAULT_VERIFY_TIMEOUT_MS / 1000} (the default)`,
      exitCode: ExitCode.usage,
    });
  }
  return Math.round(seconds * 1000);
}

/** The request for `url` (with or without a trailing slash), its credentials, and how to print it. */
export interface VersionEndpoint {
  /** What fetch requests: `<url>/version` without userinfo (fetch refuses it), query kept. */
  request: string;
  /** Basic credentials from the URL's userinfo, as curl sends them. */
  authorization: string | null;
  /** `<url>/version` fit for output: userinfo and query values masked. */
  display: string;
}

export function versionEndpoint(url: string): VersionEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`not a URL: "${displayUrl(url)}"`, { hint: 'STAGING_URL / PRODUCTION_URL take the base URL of the app, e.g. https://staging.example.com', exitCode: ExitCode.usage });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UserError(`not an http(s) URL: "${displayUrl(url)}"`, { hint: 'the server is asked GET <url>/version over HTTP or HTTPS', exitCode: ExitCode.usage });
  }
  const authorization = parsed.username || parsed.password
    ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`, 'utf8').toString('base64')}`
    : null;
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/version`;
  const shown = new URL(parsed.href);
  if (authorization) shown.username = MASK;
  for (const key of [...new Set(shown.searchParams.keys())]) shown.searchParams.set(key, MASK);
  return { request: parsed.href, authorization, display: shown.href };
}

/** A URL as it may be printed even when it does not parse: userinfo and query dropped. */
function displayUrl(url: string): string {
  return clipText(url.replace(/\/\/[^/@\s]*@/, `//${MASK}@`).replace(/\?.*$/, '?…'), 120);
}

/** One answer of the server, as much as matters to read it. */
export interface VersionAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

/** What one answer says: the commit the server runs, or why it says nothing usable. */
export type AnswerReading = { commit: string } | { reason: string };

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Reads one answer against the contract (pure). */
export function readVersionAnswer(answer: VersionAnswer): AnswerReading {
  if (answer.status < 200 || answer.status > 299) return { reason: `HTTP ${answer.status}` };
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    const type = answer.contentType?.split(';')[0]?.trim() || 'no content type';
    return { reason: `not JSON (${type})` };
  }
  const commit = json && typeof json === 'object' && !Array.isArray(json) ? (json as { commit?: unknown }).commit : undefined;
  if (typeof commit !== 'string') return { reason: 'JSON without a "commit" field' };
  const sha = commit.trim().toLowerCase();
  if (!FULL_SHA.test(sha)) return { reason: `"commit": "${remoteReason(clipText(commit, 40))}" is not a full sha` };
  return { commit: sha };
}

/** Why a request got no answer, in a few words (pure: reads the error fetch threw). */
export function describeRequestError(error: unknown): string {
  const failure = error as { name?: string; message?: string; cause?: { code?: string; message?: string; name?: string } };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError' || failure.cause?.name === 'TimeoutError') return 'timed out';
  const code = failure.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection closed without an answer';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) return `TLS: ${code} (a private CA is trusted with NODE_EXTRA_CA_CERTS)`;
  return remoteReason(code ?? failure.cause?.message ?? failure.message ?? String(error)) || 'no answer';
}

export interface VerifyOptions {
  /** The app's base URL (STAGING_URL / PRODUCTION_URL). */
  url: string;
  /** The full sha that was pushed. */
  commit: string;
  timeoutMs?: number;
  intervalMs?: number;
  requestTimeoutMs?: number;
  /** At most one progress line per this many ms while waiting. */
  progressEveryMs?: number;
  onProgress?: (line: string) => void;
}

interface Outcome {
  /** `<url>/version`, credentials masked. */
  url: string;
  commit: string;
  elapsedMs: number;
  attempts: number;
}

export type VerifyOutcome =
  | (Outcome & { status: 'verified' })
  | (Outcome & {
    status: 'unverified';
    /** What the server last answered: "serves <sha>", "HTTP 500", "not JSON (text/html)", "connection refused", "timed out"… */
    lastAnswer: string;
    /** The commit it last served, when it served one. */
    served: string | null;
  });

const short = (sha: string): string => sha.slice(0, 7);
const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;

function answerText(reading: AnswerReading): string {
  return 'commit' in reading ? `serves ${short(reading.commit)}` : reading.reason;
}

/** "waiting for https://staging…/version to serve abc1234 (serves def5678, 12 s)" */
export function progressLine(display: string, commit: string, reading: AnswerReading, elapsedMs: number): string {
  return `waiting for ${display} to serve ${short(commit)} (${answerText(reading)}, ${seconds(elapsedMs)})`;
}

/** One line for the report: the outcome and what it rests on. */
export function describeOutcome(outcome: VerifyOutcome): string {
  if (outcome.status === 'verified') return `verified: ${outcome.url} serves ${short(outcome.commit)} (after ${seconds(outcome.elapsedMs)})`;
  return `unverified: ${outcome.url} did not serve ${short(outcome.commit)} within ${seconds(outcome.elapsedMs)}; last answer: ${outcome.lastAnswer}`;
}

/** The body's text, at most MAX_BODY_BYTES of it. */
async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

async function askOnce(endpoint: VersionEndpoint, timeoutMs: number): Promise<AnswerReading> {
  try {
    const response = await fetch(endpoint.request, {
      headers: { accept: 'application/json', 'user-agent': 'release-toolkit', ...(endpoint.authorization ? { authorization: endpoint.authorization } : {}) },
      redirect: 'follow',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return readVersionAnswer({ status: response.status, contentType: response.headers.get('content-type'), body: await readCapped(response) });
  } catch (error) {
    return { reason: describeRequestError(error) };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asks `<url>/version` until it serves `commit` or `timeoutMs` has passed (always at least once);
 * never throws for what the server does, only for a URL that is not one.
 */
export async function verifyDeploy(options: VerifyOptions): Promise<VerifyOutcome> {
  const endpoint = versionEndpoint(options.url);
  const commit = options.commit.toLowerCase();
  if (!FULL_SHA.test(commit)) throw new Error(`verifyDeploy wants the full sha of the pushed commit, got "${options.commit}"`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const progressEveryMs = options.progressEveryMs ?? DEFAULT_PROGRESS_EVERY_MS;
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let attempts = 0;
  let lastProgress = -Infinity;
  let last: AnswerReading | null = null;
  for (;;) {
    attempts += 1;
    const budget = Math.max(1, Math.min(requestTimeoutMs, timeoutMs - elapsed()));
    const reading = await askOnce(endpoint, budget);
    const base = { url: endpoint.display, commit, elapsedMs: elapsed(), attempts };
    if ('commit' in reading && reading.commit === commit) return { status: 'verified', ...base };
    // A last request cut short by the overall timeout says less than the answer before it.
    const cutShort = budget < requestTimeoutMs && 'reason' in reading && reading.reason === 'timed out';
    if (!(cutShort && last)) last = reading;
    const remaining = timeoutMs - base.elapsedMs;
    if (remaining <= 0) {
      return { status: 'unverified', ...base, lastAnswer: answerText(last), served: 'commit' in last ? last.commit : null };
    }
    if (options.onProgress && base.elapsedMs - lastProgress >= progressEveryMs) {
      lastProgress = base.elapsedMs;
      options.onProgress(progressLine(endpoint.display, commit, last, base.elapsedMs));
    }
    await sleep(Math.min(intervalMs, remaining));
  }
}
