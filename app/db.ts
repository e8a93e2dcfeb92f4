import pg from 'pg';
import type { Logger } from 'pino';

/** The visit counter in PostgreSQL: one row, created by the service itself. */
export interface VisitStore {
  /** Creates the table when missing; safe to run at every start and from several instances. */
  migrate(): Promise<void>;
  increment(): Promise<number>;
  count(): Promise<number>;
  /** Throws when the database does not answer within the query timeout. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreTimeouts {
  connectMs: number;
  queryMs: number;
}

const MIGRATION = `
CREATE TABLE IF NOT EXISTS visits (id smallint PRIMARY KEY CHECK (id = 1), count bigint NOT NULL);
INSERT INTO visits (id, count) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;`;

export function createVisitStore(databaseUrl: string, logger: Pick<Logger, 'error'>, timeouts: StoreTimeouts = { connectMs: 2_000, queryMs: 2_000 }): VisitStore {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: timeouts.connectMs,
    query_timeout: timeouts.queryMs,
    statement_timeout: timeouts.queryMs,
    idleTimeoutMillis: 10_000,
  });
  // A dropped idle connection (database restarted) is reported here; the pool replaces it.
  pool.on('error', (error) => logger.error({ error: error.message }, 'idle database connection lost'));
  let migrated: Promise<void> | null = null;
  const migrate = (): Promise<void> => {
    migrated ??= pool.query(MIGRATION).then(() => undefined, (error: unknown) => {
      migrated = null;
      throw error;
    });
    return migrated;
  };
  const count = async (): Promise<number> => {
    await migrate();
    return Number((await pool.query<{ count: string }>('SELECT count FROM visits WHERE id = 1')).rows[0]!.count);
  };
  return {
    migrate,
    count,
    async increment() {
      await migrate();
      return Number((await pool.query<{ count: string }>('UPDATE visits SET count = count + 1 WHERE id = 1 RETURNING count')).rows[0]!.count);
    },
    async ping() {
      await migrate();
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}
