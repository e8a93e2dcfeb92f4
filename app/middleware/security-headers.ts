import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'koa';
import helmet, { type HelmetOptions } from 'helmet';

export type Headers = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * What helmet would set for these options, asked once at start-up: the answer is the same for
 * every response, so no request pays for parsing and formatting the policies again.
 */
export function securityHeaders(options: HelmetOptions): Headers {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string | number) => void headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

export function setFixedHeaders(response: ServerResponse, headers: Headers): void {
  for (const [name, value] of headers) response.setHeader(name, value);
}

/** A whole answer that never changes (the greeting): its head and body, built once. */
export interface FixedAnswer {
  /** writeHead's flat list: name, value, name, value… */
  head: readonly string[];
  body: string;
}

export function fixedAnswer(headers: Headers, contentType: string, body: string): FixedAnswer {
  const all: Headers = [...headers, ['Content-Type', contentType], ['Content-Length', String(Buffer.byteLength(body))]];
  return { head: all.flat(), body };
}

/**
 * Writes a fixed answer past Koa's response: one writeHead with the whole head, where Koa's way
 * (a setHeader per header, each checked and copied into a dictionary) cost the greeting ~3 µs, a
 * tenth of a request in bench/app.bench.ts. The status is Koa's to read afterwards, as usual.
 */
export function sendFixed(ctx: Context, answer: FixedAnswer): void {
  ctx.respond = false;
  ctx.res.writeHead(200, answer.head as string[]).end(answer.body);
}
