/** The service's settings, read once from the environment and validated. */
export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string | null;
  /** How long a stop waits for in-flight requests before closing their connections. */
  shutdownGraceMs: number;
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
  return { port, host: env.HOST?.trim() || '0.0.0.0', databaseUrl, shutdownGraceMs: 10_000 };
}
