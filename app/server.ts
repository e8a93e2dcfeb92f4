/** Entry point: `node dist/app/server.js`. Listens, and stops gracefully on SIGTERM/SIGINT. */
import http from 'node:http';
import { buildApp } from './app.js';
import { AppConfigError, readAppConfig, type AppConfig } from './config.js';
import { createVisitStore } from './db.js';
import { openLog } from './log.js';
import { buildVersion } from './version.js';

function configOrExit(): AppConfig {
  try {
    return readAppConfig(process.env);
  } catch (error) {
    if (!(error instanceof AppConfigError)) throw error;
    // No logger yet: its own settings may be what is wrong.
    process.stderr.write(`hello-app: ${error.message}\n`);
    process.exit(2);
  }
}
const config = configOrExit();
// Under start.sh both are files on the logs' disk: a write that fails there (ENOSPC) must not
// become an uncaught error that ends the process. The log counts and reports its own losses.
for (const output of [process.stdout, process.stderr]) output.on('error', () => undefined);
const { logger, accessLog, close: closeLog } = openLog(config.log);

function exitAfterLog(code: number): void {
  void closeLog().finally(() => process.exit(code));
}

const store = config.databaseUrl ? createVisitStore(config.databaseUrl, logger) : null;
// Migrating at start-up is best effort: a database that is not up yet keeps /readyz at 503 until it is.
store?.migrate().catch((error: unknown) => logger.error({ error: (error as Error).message }, 'database not ready at start-up'));

const app = buildApp({ store, version: buildVersion(process.env, process.cwd()), logger, accessLog, trustedProxies: config.trustedProxies });
const server = http.createServer(app.callback());
// Longer than a load balancer's idle timeout (ALB: 60 s), so the balancer closes first.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.on('error', (error: NodeJS.ErrnoException) => {
  logger.fatal({ error: error.message, port: config.port }, 'cannot listen');
  exitAfterLog(1);
});
server.listen(config.port, config.host, () => {
  const address = server.address();
  logger.info({ port: typeof address === 'object' && address ? address.port : config.port, host: config.host, database: store ? 'on' : 'off' }, 'listening');
});

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  // Stop accepting; in-flight requests finish; idle keep-alive connections are closed as they go idle.
  server.close(() => {
    void (store?.close() ?? Promise.resolve()).finally(() => {
      logger.info('stopped');
      exitAfterLog(0);
    });
  });
  const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
  idleSweep.unref();
  setTimeout(() => {
    logger.warn({ graceMs: config.shutdownGraceMs }, 'grace period over: closing remaining connections');
    server.closeAllConnections();
  }, config.shutdownGraceMs).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
