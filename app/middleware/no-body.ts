import type { Middleware } from 'koa';

/** None of the routes takes a request body: refuse one instead of reading it. */
export function noRequestBody(): Middleware {
  return (ctx, next) => {
    const { headers } = ctx.req;
    if (Number(headers['content-length'] || 0) > 0 || headers['transfer-encoding']) {
      ctx.set('Connection', 'close');
      ctx.throw(413, 'request bodies are not accepted');
    }
    return next();
  };
}
