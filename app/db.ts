import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from 'pino';

/** The visit counter in PostgreSQL: one row, created by the service itself. */
export interface VisitStore {
  /** Creates the table when missing; safe to run at every start and from several instances. */
  migrate(): Promise<void>;
  /**
   * Counts a visit without waiting for the database: a greeting must not slow down with it. Visits
   * are written in batches, one UPDATE at a time and at most one per 10 ms however many requests
   * come (a slow database gets no pile of queries); a batch the database refuses or times out is
   * dropped and logged with its size.
   */
  recordVisit(): void;
  /** The count, once every visit recorded so far is written (or dropped). */
  count(): Promise<number>;
  /** Throws when the database does not answer within the query timeout. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreTimeouts {
  connectMs: number;
  queryMs: number;
}

const VISIT_BATCH_GAP_MS = 10;

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
  let pending = 0;
  let writing: Promise<void> | null = null;
  const writeVisits = async (): Promise<void> => {
    while (pending > 0) {
      // A moment for visits to gather: a busy server writes ~100 UPDATEs a second, not one per round trip.
      await sleep(VISIT_BATCH_GAP_MS);
      const visits = pending;
      pending = 0;
      try {
        await migrate();
        await pool.query('UPDATE visits SET count = count + $1 WHERE id = 1', [visits]);
      } catch (error) {
        logger.error({ error: (error as Error).message, visits }, 'visits not counted');
      }
    }
    writing = null;
  };
  const visitsSettled = (): Promise<void> => writing ?? Promise.resolve();
  return {
    migrate,
    recordVisit() {
      pending += 1;
      writing ??= writeVisits();
    },
    async count() {
      await visitsSettled();
      await migrate();
      return Number((await pool.query<{ count: string }>('SELECT count FROM visits WHERE id = 1')).rows[0]!.count);
    },
    async ping() {
      await migrate();
      await pool.query('SELECT 1');
    },
    async close() {
      await visitsSettled();
      await pool.end();
    },
  };
}
