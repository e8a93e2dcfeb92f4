/** Entry point: `node dist/app/server.js`. Listens, and stops gracefully on SIGTERM/SIGINT. */
import http from 'node:http';
import { buildApp } from './app.js';
import { AppConfigError, readAppConfig, type AppConfig } from './config.js';
import { createVisitStore } from './db.js';
import { bufferedLineWriter } from './log.js';
import { buildVersion } from './version.js';

const log = bufferedLineWriter(process.stdout);
const logError = (line: string): void => void process.stderr.write(`${line}\n`);
const event = (msg: string, fields: Record<string, unknown> = {}): string => JSON.stringify({ time: new Date().toISOString(), msg, ...fields });

function configOrExit(): AppConfig {
  try {
    return readAppConfig(process.env);
  } catch (error) {
    if (!(error instanceof AppConfigError)) throw error;
    logError(`hello-app: ${error.message}`);
    process.exit(2);
  }
}
const config = configOrExit();

const store = config.databaseUrl ? createVisitStore(config.databaseUrl) : null;
// Migrating at start-up is best effort: a database that is not up yet keeps /readyz at 503 until it is.
store?.migrate().catch((error: unknown) => logError(event('database not ready at start-up', { error: (error as Error).message })));

const app = buildApp({ store, version: buildVersion(process.env, process.cwd()), log, logError });
const server = http.createServer(app.callback());
// Longer than a load balancer's idle timeout (ALB: 60 s), so the balancer closes first.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.on('error', (error: NodeJS.ErrnoException) => {
  logError(event('cannot listen', { error: error.message, port: config.port }));
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  const address = server.address();
  log(event('listening', { port: typeof address === 'object' && address ? address.port : config.port, host: config.host, database: store ? 'on' : 'off' }));
});

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  log(event('stopping', { signal }));
  // Stop accepting; in-flight requests finish; idle keep-alive connections are closed as they go idle.
  server.close(() => {
    void (store?.close() ?? Promise.resolve()).finally(() => {
      log(event('stopped'));
      process.exit(0);
    });
  });
  const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
  idleSweep.unref();
  setTimeout(() => {
    logError(event('grace period over: closing remaining connections', { graceMs: config.shutdownGraceMs }));
    server.closeAllConnections();
  }, config.shutdownGraceMs).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
