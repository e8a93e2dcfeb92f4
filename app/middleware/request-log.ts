import type { Middleware } from 'koa';
import type { Logger } from 'pino';

/** One JSON line per request: what was asked, what was answered, how long it took. */
export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      logger.info({
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ip: ctx.ip,
      });
    }
  };
}
