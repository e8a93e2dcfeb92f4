import type { Context } from 'koa';
import type { Logger } from 'pino';

/** An error thrown while answering: a short JSON answer; unexpected ones (5xx) logged with their stack. */
export function answerError(ctx: Context, error: unknown, logger: Logger): void {
  const status = (error as { status?: number }).status ?? 500;
  if (status >= 500) logger.error({ method: ctx.method, path: ctx.path, err: error }, 'request failed');
  ctx.status = status;
  ctx.body = { error: status >= 500 ? 'internal error' : (error as Error).message };
}
