import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { answerError } from './errors.js';

/**
 * One JSON line per request: what was asked, what was answered, how long it took. An error thrown
 * below is answered here first, so the line shows the status the client got. (One middleware
 * rather than a log and an error handler: each layer costs every request a promise.)
 */
export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } catch (error) {
      answerError(ctx, error, logger);
    }
    logger.info({
      method: ctx.method,
      path: ctx.path,
      status: ctx.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ip: ctx.ip,
    });
  };
}
