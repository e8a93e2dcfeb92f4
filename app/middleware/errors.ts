import type { Middleware } from 'koa';
import type { LineWriter } from '../log.js';

/** Unexpected errors: logged to stderr with their stack, answered as a short JSON 500. */
export function errorHandler(writeError: LineWriter): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = (error as { status?: number }).status ?? 500;
      if (status >= 500) {
        writeError(JSON.stringify({ level: 'error', method: ctx.method, path: ctx.path, error: (error as Error).stack ?? String(error) }));
      }
      ctx.status = status;
      ctx.body = { error: status >= 500 ? 'internal error' : (error as Error).message };
    }
  };
}
