import type { Context } from 'koa';

/** None of the routes takes a request body: refuse one (413) instead of reading it. */
export function refuseRequestBody(ctx: Context): void {
  const { headers } = ctx.req;
  if (Number(headers['content-length'] || 0) > 0 || headers['transfer-encoding']) {
    ctx.set('Connection', 'close');
    ctx.throw(413, 'request bodies are not accepted');
  }
}
