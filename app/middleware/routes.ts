import type { Context } from 'koa';

/**
 * Five fixed GET paths need no pattern matching: a Map lookup, 404 for unknown paths, 405 with
 * `Allow` for other methods. (@koa/router cost ~25% of the throughput in bench/app.bench.ts.)
 */
export function routes(get: ReadonlyMap<string, (ctx: Context) => unknown>): (ctx: Context) => unknown {
  return (ctx) => {
    const handler = get.get(ctx.path);
    if (!handler) {
      ctx.status = 404;
      ctx.body = { error: 'not found' };
      return undefined;
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      ctx.body = { error: `${ctx.method} is not allowed here` };
      return undefined;
    }
    return handler(ctx);
  };
}
