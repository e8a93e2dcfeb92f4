import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { pino, type DestinationStream, type Logger } from 'pino';
import { buildApp } from '../../app/app.js';
import { readAppConfig } from '../../app/config.js';
import { createVisitStore, type VisitStore } from '../../app/db.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

interface Running {
  url: string;
  /** The logger's lines, parsed. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

function memoryLogger(): { logger: Logger; accessLog: DestinationStream; logs: Array<Record<string, unknown>> } {
  const logs: Array<Record<string, unknown>> = [];
  const accessLog = { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) };
  return { logs, accessLog, logger: pino({ base: null }, accessLog) };
}

async function serve(store: VisitStore | null, { logger, accessLog, logs } = memoryLogger(), trustedProxies = 0): Promise<Running> {
  const app = buildApp({ store, version: { tag: 'release/2026-11-24', commit: 'abc123' }, logger, accessLog, trustedProxies });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    logs,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const withoutDb = suite('app without a database');
let app: Running;
withoutDb.before(async () => { app = await serve(null); });
withoutDb.after(() => app.close());

withoutDb('GET / answers Hello World as text/plain with security headers', async () => {
  const response = await fetch(`${app.url}/`);
  assert.is(response.status, 200);
  assert.is(await response.text(), 'Hello World');
  assert.is(response.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.is(response.headers.get('x-content-type-options'), 'nosniff');
  assert.is(response.headers.get('x-frame-options'), 'DENY');
  assert.is(response.headers.get('content-security-policy'), "default-src 'none';frame-ancestors 'none'");
  assert.is(response.headers.get('referrer-policy'), 'no-referrer');
  assert.match(response.headers.get('strict-transport-security') ?? '', 'max-age=');
  assert.is(response.headers.get('cross-origin-resource-policy'), 'same-origin');
});

withoutDb('health, readiness, version and the counter without a database', async () => {
  assert.equal(await (await fetch(`${app.url}/healthz`)).json(), { status: 'ok' });
  const ready = await fetch(`${app.url}/readyz`);
  assert.is(ready.status, 200);
  assert.equal(await ready.json(), { status: 'ready', database: 'not configured' });
  assert.equal(await (await fetch(`${app.url}/version`)).json(), { tag: 'release/2026-11-24', commit: 'abc123' });
  assert.equal(await (await fetch(`${app.url}/visits`)).json(), { visits: null, counter: 'off', reason: 'DATABASE_URL is not set' });
});

withoutDb('unknown routes 404, bad methods 405 with Allow, bodies 413', async () => {
  const missing = await fetch(`${app.url}/nope`);
  assert.is(missing.status, 404);
  assert.equal(await missing.json(), { error: 'not found' });
  const wrongMethod = await fetch(`${app.url}/healthz`, { method: 'DELETE' });
  assert.is(wrongMethod.status, 405);
  assert.match(wrongMethod.headers.get('allow') ?? '', 'GET');
  const withBody = await fetch(`${app.url}/`, { method: 'POST', body: 'x=1' });
  assert.is(withBody.status, 413);
  assert.is((await fetch(`${app.url}/`, { method: 'HEAD' })).status, 200);
});

withoutDb('one JSON log line per request, at info level', async () => {
  app.logs.length = 0;
  await fetch(`${app.url}/healthz`);
  await fetch(`${app.url}/nope`);
  assert.is(app.logs.length, 2);
  const [health, missing] = app.logs as [Record<string, unknown>, Record<string, unknown>];
  assert.is(health.level, 30);
  assert.is(health.method, 'GET');
  assert.is(health.path, '/healthz');
  assert.is(health.status, 200);
  assert.type(health.ms, 'number');
  assert.is(health.ip, '127.0.0.1');
  assert.is(missing.status, 404);

  app.logs.length = 0;
  await fetch(`${app.url}/healthz`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
  assert.is(app.logs[0]!.ip, '127.0.0.1', 'without TRUST_PROXY, X-Forwarded-For is anyone\'s to forge');
});

withoutDb('behind one trusted proxy (TRUST_PROXY=1) the access log shows the client it names, not what the client claims', async () => {
  const proxied = await serve(null, memoryLogger(), readAppConfig({ TRUST_PROXY: '1' }).trustedProxies);
  try {
    await fetch(`${proxied.url}/healthz`, { headers: { 'x-forwarded-for': '198.51.100.7' } });
    await fetch(`${proxied.url}/healthz`, { headers: { 'x-forwarded-for': '10.6.6.6, 198.51.100.8' } });
    assert.equal(proxied.logs.map((line) => line.ip), ['198.51.100.7', '198.51.100.8'], 'the address the balancer appended, not the forged one before it');
  } finally {
    await proxied.close();
  }
  assert.throws(() => readAppConfig({ TRUST_PROXY: 'yes' }), /TRUST_PROXY must be how many proxies stand in front/);
});

withoutDb('every answer carries the security headers, errors and 404s too', async () => {
  for (const response of [await fetch(`${app.url}/nope`), await fetch(`${app.url}/healthz`, { method: 'DELETE' }), await fetch(`${app.url}/version`)]) {
    assert.is(response.headers.get('x-frame-options'), 'DENY', response.url);
    assert.is(response.headers.get('content-security-policy'), "default-src 'none';frame-ancestors 'none'");
  }
});
withoutDb.run();

const config = suite('app config');
config('PORT and HOST are read and checked', () => {
  assert.equal(readAppConfig({}), {
    port: 8080,
    host: '0.0.0.0',
    databaseUrl: null,
    shutdownGraceMs: 5_000,
    trustedProxies: 0,
    log: { file: null, maxSize: '10M', keep: 5 },
  });
  assert.is(readAppConfig({ PORT: '9090', HOST: '127.0.0.1' }).port, 9090);
  assert.throws(() => readAppConfig({ PORT: 'eighty' }), /PORT must be a port number/);
  assert.throws(() => readAppConfig({ DATABASE_URL: 'mysql://x' }), /postgres:\/\//);
});

config('the log goes to stdout unless LOG_FILE is set; its size and count are checked', () => {
  assert.equal(readAppConfig({ LOG_FILE: 'logs/app.log', LOG_MAX_SIZE: '2K', LOG_KEEP: '2' }).log, { file: 'logs/app.log', maxSize: '2K', keep: 2 });
  assert.throws(() => readAppConfig({ LOG_MAX_SIZE: '10MB' }), /LOG_MAX_SIZE must be a size such as 10M/);
  assert.throws(() => readAppConfig({ LOG_MAX_SIZE: '0K' }), /LOG_MAX_SIZE/);
  assert.throws(() => readAppConfig({ LOG_KEEP: '0' }), /LOG_KEEP must be how many rotated log files to keep/);
});
config.run();

const withDb = suite('app with PostgreSQL');
let postgres: TestPostgres;
let store: VisitStore;
const storeLog = memoryLogger();
withDb.before(async () => {
  postgres = await startPostgres();
  store = createVisitStore(postgres.url, storeLog.logger, { connectMs: 1_000, queryMs: 1_000 });
  app = await serve(store, storeLog);
});
withDb.after(async () => {
  await app.close();
  await store.close();
  await postgres.remove();
});

withDb('GET / counts visits in a table the app creates itself', async () => {
  const before = ((await (await fetch(`${app.url}/visits`)).json()) as { visits: number }).visits;
  await fetch(`${app.url}/`);
  await fetch(`${app.url}/`);
  assert.equal(await (await fetch(`${app.url}/visits`)).json(), { visits: before + 2 });
  const secondInstance = createVisitStore(postgres.url, memoryLogger().logger);
  await secondInstance.migrate();
  await secondInstance.close();
  assert.equal(await (await fetch(`${app.url}/visits`)).json(), { visits: before + 2 }, 'migrating again keeps the count');
  assert.equal(await (await fetch(`${app.url}/readyz`)).json(), { status: 'ready', database: 'ok' });
});

withDb('the greeting does not wait for the counter: with its row locked, 20 greetings answer, and the visits are counted once it is free', async () => {
  const before = ((await (await fetch(`${app.url}/visits`)).json()) as { visits: number }).visits;
  const blocker = new pg.Client({ connectionString: postgres.url });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('SELECT count FROM visits WHERE id = 1 FOR UPDATE');
  try {
    for (let n = 0; n < 20; n += 1) assert.is(await (await fetch(`${app.url}/`)).text(), 'Hello World');
    const { rows } = await blocker.query<{ waiting: string }>("SELECT count(*) AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE visits%'");
    assert.is(Number(rows[0]!.waiting), 1, 'one UPDATE waits for the row, not one per greeting');
  } finally {
    await blocker.query('COMMIT');
    await blocker.end();
  }
  assert.equal(await (await fetch(`${app.url}/visits`)).json(), { visits: before + 20 }, 'every visit counted, in batches');
});

withDb('a lost database turns readiness to 503 and it recovers by itself', async () => {
  await postgres.stop();
  const down = await fetch(`${app.url}/readyz`);
  assert.is(down.status, 503);
  assert.equal(await down.json(), { status: 'not ready', reason: 'database unreachable' }, 'the answer names no host or port');
  const logged = app.logs.find((line) => line.msg === 'not ready: database unreachable');
  assert.match(String(logged?.error), `127.0.0.1:${postgres.port}`, 'the log does');
  const hello = await fetch(`${app.url}/`);
  assert.is(await hello.text(), 'Hello World', 'the greeting does not need the database');
  assert.is((await fetch(`${app.url}/visits`)).status, 503);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(app.logs.some((line) => line.msg === 'visits not counted' && line.level === 50 && Number(line.visits) >= 1), 'the lost visit is logged as an error, with how many were lost');
  assert.ok(app.logs.some((line) => line.msg === 'idle database connection lost'), 'and so are the pool\'s dropped connections');

  await postgres.start();
  let status = 0;
  for (let attempt = 0; attempt < 30 && status !== 200; attempt += 1) {
    status = (await fetch(`${app.url}/readyz`)).status;
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.is(status, 200);
});
withDb.run();
