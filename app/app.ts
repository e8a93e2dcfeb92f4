import Koa, { type Context } from 'koa';
import type { DestinationStream, Logger } from 'pino';
import type { VisitStore } from './db.js';
import { refuseRequestBody } from './middleware/no-body.js';
import { requestLog } from './middleware/request-log.js';
import { routes } from './middleware/routes.js';
import { fixedAnswer, securityHeaders, sendFixed } from './middleware/security-headers.js';
import type { BuildVersion } from './version.js';

export interface AppDeps {
  /** null when DATABASE_URL is not set: the service runs without a database. */
  store: VisitStore | null;
  version: BuildVersion;
  logger: Logger;
  /** The logger's destination: the access lines are written to it directly (see middleware/request-log.ts). */
  accessLog: DestinationStream;
  /** How many proxies (a load balancer: 1) stand in front and set X-Forwarded-For; 0: none is trusted. */
  trustedProxies?: number;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Helmet's defaults are written for HTML pages; this service answers text and JSON, so it sends
 * the headers that matter for an API behind TLS and skips the rest (each header costs throughput).
 */
const SECURITY_HEADERS = securityHeaders({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  xFrameOptions: { action: 'deny' },
});

const GREETING = fixedAnswer(SECURITY_HEADERS, 'text/plain; charset=utf-8', 'Hello World');

/** The service: builds and returns the Koa app; listening is the caller's business. */
export function buildApp({ store, version, logger, accessLog, trustedProxies = 0 }: AppDeps): Koa {
  const get = new Map<string, (ctx: Context) => unknown>();

  get.set('/', (ctx) => {
    // The greeting does not wait for the database: the visit is written behind it (or dropped and logged).
    store?.recordVisit();
    sendFixed(ctx, GREETING);
  });

  get.set('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  get.set('/readyz', async (ctx) => {
    if (!store) {
      ctx.body = { status: 'ready', database: 'not configured' };
      return;
    }
    try {
      await store.ping();
      ctx.body = { status: 'ready', database: 'ok' };
    } catch (error) {
      // The error names the database's host and port: the log gets it, the (public) answer does not.
      logger.warn({ error: reasonOf(error) }, 'not ready: database unreachable');
      ctx.status = 503;
      ctx.body = { status: 'not ready', reason: 'database unreachable' };
    }
  });

  get.set('/version', (ctx) => {
    ctx.body = version;
  });

  get.set('/visits', async (ctx) => {
    if (!store) {
      ctx.body = { visits: null, counter: 'off', reason: 'DATABASE_URL is not set' };
      return;
    }
    try {
      ctx.body = { visits: await store.count() };
    } catch (error) {
      logger.warn({ error: reasonOf(error) }, 'visits not read: database unreachable');
      ctx.status = 503;
      ctx.body = { visits: null, reason: 'database unreachable' };
    }
  });

  const app = new Koa();
  app.silent = true;
  // X-Forwarded-For is anyone's to write: only the entries the trusted proxies added count (Koa's app.proxy).
  app.proxy = trustedProxies > 0;
  app.maxIpsCount = trustedProxies;
  const route = routes(get);
  const answer = (ctx: Context): unknown => {
    refuseRequestBody(ctx);
    return route(ctx);
  };
  app.use(requestLog(answer, { logger, accessLog, headers: SECURITY_HEADERS }));
  return app;
}
