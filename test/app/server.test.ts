import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { freePort, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startServer, waitFor } from '../helpers/app-process.js';
import { waitUntil } from '../helpers/wait.js';

/** What a new connection to the app meets: an answer, or the error code. */
function connectionOutcome(port: number): Promise<string> {
  return new Promise<string>((resolve) => {
    http.get(`http://127.0.0.1:${port}/healthz`, (response) => { response.resume(); resolve('answered'); }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

const server = suite('app process');
let postgres: TestPostgres;
server.before(async () => { postgres = await startPostgres(); });
server.after(() => postgres.remove());

server('SIGTERM stops accepting, finishes the request in flight, then exits 0', async () => {
  const port = await freePort();
  const app = startServer({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: postgres.url });
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  assert.is((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/visits`)).json(), { visits: 1 }, 'table created, one visit');

  // Lock the counter's table so the next GET /visits stays in flight until we let go.
  const blocker = new pg.Client({ connectionString: postgres.url });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE visits IN ACCESS EXCLUSIVE MODE');
  let settled = false;
  const inFlight = fetch(`http://127.0.0.1:${port}/visits`).then(async (response) => ({ status: response.status, body: await response.text() })).finally(() => { settled = true; });
  await waitUntil(async () => (await blocker.query('SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted')).rows[0].waiting > 0, 'the request to wait for the table');
  app.kill('SIGTERM');
  await waitUntil(async () => (await connectionOutcome(port)) === 'ECONNREFUSED', 'the app to stop accepting');
  assert.not.ok(settled, 'no new connections while the request is still in flight');
  await blocker.query('COMMIT');
  await blocker.end();

  assert.equal(await inFlight, { status: 200, body: '{"visits":1}' });
  const exited = await app;
  assert.is(exited.exitCode, 0, exited.all);
  assert.match(exited.all, '"signal":"SIGTERM","msg":"stopping"');
  assert.match(exited.all, '"msg":"stopped"');
});

server('a half-open client (a request cut off mid-headers) holds the stop only for the grace, 5 s, well under Docker\'s 10 s', async () => {
  const port = await freePort();
  const app = startServer({ PORT: String(port), HOST: '127.0.0.1' });
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  const client = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  client.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  client.on('error', () => undefined);
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Not app.kill(): execa would follow it with a SIGKILL after 5 s, as Docker does after 10.
  process.kill(app.pid!, 'SIGTERM');
  const exited = await app;
  client.destroy();
  assert.is(exited.exitCode, 0, `${exited.signal} ${exited.all}`);
  assert.match(exited.all, '"graceMs":5000,"msg":"grace period over: closing remaining connections"');
  assert.match(exited.all, '"msg":"stopped"');
});

server('a bad PORT is one line on stderr and exit 2; a taken port exits 1', async () => {
  const bad = await startServer({ PORT: 'eighty' });
  assert.is(bad.exitCode, 2);
  assert.is(bad.all.trim(), 'hello-app: PORT must be a port number (0-65535), not "eighty"');

  const port = await freePort();
  const holder = http.createServer().listen(port, '127.0.0.1');
  await once(holder, 'listening');
  try {
    const taken = await startServer({ PORT: String(port), HOST: '127.0.0.1' });
    assert.is(taken.exitCode, 1);
    assert.match(taken.all, '"msg":"cannot listen"');
  } finally {
    holder.close();
  }
});
server.run();
