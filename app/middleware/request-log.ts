import type { Middleware } from 'koa';
import type { LineWriter } from '../log.js';

/** One JSON line per request on stdout: what was asked, what was answered, how long it took. */
export function requestLog(write: LineWriter): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      write(JSON.stringify({
        time: new Date().toISOString(),
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ip: ctx.ip,
      }));
    }
  };
}
