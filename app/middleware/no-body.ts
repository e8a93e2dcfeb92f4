import type { Middleware } from 'koa';

/** None of the routes takes a request body: refuse one instead of reading it. */
export function noRequestBody(): Middleware {
  return async (ctx, next) => {
    const length = Number(ctx.get('content-length') || 0);
    if (length > 0 || ctx.get('transfer-encoding')) {
      ctx.set('Connection', 'close');
      ctx.throw(413, 'request bodies are not accepted');
    }
    await next();
  };
}
