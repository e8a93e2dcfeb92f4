import type { Middleware } from 'koa';
import type { Logger } from 'pino';

/** Unexpected errors: logged with their stack, answered as a short JSON 500. */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = (error as { status?: number }).status ?? 500;
      if (status >= 500) logger.error({ method: ctx.method, path: ctx.path, err: error }, 'request failed');
      ctx.status = status;
      ctx.body = { error: status >= 500 ? 'internal error' : (error as Error).message };
    }
  };
}
