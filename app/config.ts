import type { LogSettings } from './log.js';

/** The service's settings, read once from the environment and validated. */
export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string | null;
  /** How long a stop waits for in-flight requests before closing their connections. */
  shutdownGraceMs: number;
  /** TRUST_PROXY: how many proxies in front set X-Forwarded-For (behind a load balancer: 1). */
  trustedProxies: number;
  log: LogSettings;
}

export class AppConfigError extends Error {}

export function readAppConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 8080 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new AppConfigError(`PORT must be a port number (0-65535), not "${env.PORT}"`);
  }
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new AppConfigError('DATABASE_URL must be a postgres:// URL');
  }
  const trustedProxies = env.TRUST_PROXY === undefined || env.TRUST_PROXY === '' ? 0 : Number(env.TRUST_PROXY);
  if (!Number.isInteger(trustedProxies) || trustedProxies < 0 || trustedProxies > 10) {
    throw new AppConfigError(`TRUST_PROXY must be how many proxies stand in front (0-10; behind a load balancer 1), not "${env.TRUST_PROXY}"`);
  }
  // Well under Docker's stop timeout (10 s), after which it kills: the stop must end before that.
  return { port, host: env.HOST?.trim() || '0.0.0.0', databaseUrl, shutdownGraceMs: 5_000, trustedProxies, log: readLogSettings(env) };
}

function readLogSettings(env: Readonly<Record<string, string | undefined>>): LogSettings {
  const maxSize = env.LOG_MAX_SIZE?.trim() || '10M';
  if (!/^[1-9][0-9]*[BKMG]$/.test(maxSize)) {
    throw new AppConfigError(`LOG_MAX_SIZE must be a size such as 10M, 512K or 2048B, not "${env.LOG_MAX_SIZE}"`);
  }
  const keep = env.LOG_KEEP === undefined || env.LOG_KEEP === '' ? 5 : Number(env.LOG_KEEP);
  if (!Number.isInteger(keep) || keep < 1 || keep > 100) {
    throw new AppConfigError(`LOG_KEEP must be how many rotated log files to keep (1-100), not "${env.LOG_KEEP}"`);
  }
  return { file: env.LOG_FILE?.trim() || null, maxSize, keep };
}
