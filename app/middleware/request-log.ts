import type { Context, Middleware } from 'koa';
import type { DestinationStream, Logger } from 'pino';
import { accessLine } from '../log.js';
import { answerError } from './errors.js';
import { setFixedHeaders, type Headers } from './security-headers.js';

export interface RequestLogOptions {
  /** For the errors answered here (5xx, with their stack). */
  logger: Logger;
  /** Where the access lines go: the logger's own destination, so they stay in order with its lines. */
  accessLog: DestinationStream;
  /** On every answer Koa writes (a fixed answer carries them in its own head). */
  headers: Headers;
}

/**
 * The app's one Koa layer (each layer costs every request a promise and a bound function): runs
 * `answer`, answers what it throws, puts the security headers on the answer, and writes one JSON
 * line per request: what was asked, what was answered, how long it took. An answer that returns
 * no promise (the greeting) is logged at once, without a promise of its own.
 */
export function requestLog(answer: (ctx: Context) => unknown, { logger, accessLog, headers }: RequestLogOptions): Middleware {
  const finish = (ctx: Context, started: number): void => {
    if (!ctx.headerSent) setFixedHeaders(ctx.res, headers);
    accessLog.write(accessLine(ctx.method, ctx.path, ctx.status, performance.now() - started, ctx.ip));
  };
  return (ctx) => {
    const started = performance.now();
    let pending: unknown;
    try {
      pending = answer(ctx);
    } catch (error) {
      answerError(ctx, error, logger);
    }
    if (!(pending instanceof Promise)) return finish(ctx, started);
    return pending.then(
      () => finish(ctx, started),
      (error: unknown) => {
        answerError(ctx, error, logger);
        finish(ctx, started);
      },
    );
  };
}
