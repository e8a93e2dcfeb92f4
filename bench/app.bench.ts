/**
 * GET / throughput and p99 latency at 50 connections (autocannon), the app against baselines
 * measured in the same run, rounds interleaved so that a noisy moment hits every server alike:
 * a bare Koa hello (no routes, headers or logs), Fastify with its logger on (pino, to a file) and,
 * for scale, bare node:http. Each server writes its log to a file, the app as under ./start.sh
 * (LOG_FILE, rotated at 10 MB). The app is measured twice: without a database, and as production
 * runs it, counting each visit in PostgreSQL (the embedded server of the tests). Then ./start.sh
 * until /healthz answers.
 * Targets: >= 0.85x bare Koa, >= 1.00x Fastify with its logger, p99 < 10 ms, start.sh < 1 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { execa, type ResultPromise } from 'execa';
import { SERVER_SCRIPT, startShFolder, waitFor } from '../test/helpers/app-process.js';
import { freePort, startPostgres, type TestPostgres } from '../test/helpers/postgres.js';
import { ratio, verdict } from './measure.js';

const BARE_SERVER = `require('node:http').createServer((req, res) => { res.setHeader('content-type', 'text/plain'); res.end('Hello World'); }).listen(Number(process.env.PORT), '127.0.0.1');`;
const BARE_KOA = `const Koa = require('koa'); const app = new Koa(); app.use((ctx) => { ctx.type = 'text/plain'; ctx.body = 'Hello World'; }); require('node:http').createServer(app.callback()).listen(Number(process.env.PORT), '127.0.0.1');`;
const FASTIFY_LOGGING = `const app = require('fastify')({ logger: { file: process.env.LOG_FILE } }); app.get('/', async () => 'Hello World'); app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });`;

const ROUNDS = 5;
const ROUND_SECONDS = 3;

interface Load {
  rps: number;
  p99: number;
}

interface Server {
  name: string;
  url: string;
  process: ResultPromise;
  rounds: Load[];
}

async function load(url: string, seconds: number): Promise<Load> {
  const result = await autocannon({ url, connections: 50, duration: seconds });
  return { rps: result.requests.average, p99: result.latency.p99 };
}

/** A server as its own process, its log in a file of its own. */
async function startServer(name: string, args: string[], logFile: string, extraEnv: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const env = { PORT: String(port), HOST: '127.0.0.1', LOG_FILE: logFile, ...extraEnv };
  const child = execa(process.execPath, args, { env, stdout: { file: logFile, append: true }, reject: false });
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(url);
  return { name, url, process: child, rounds: [] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function startShSeconds(): Promise<number> {
  const dir = await startShFolder();
  const env = { PORT: String(await freePort()) };
  const times: number[] = [];
  try {
    for (let run = 0; run < 5; run += 1) {
      const started = performance.now();
      await execa('bash', [path.join(dir, 'start.sh')], { env });
      times.push(performance.now() - started);
      await execa('bash', [path.join(dir, 'start.sh'), 'stop'], { env });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return median(times) / 1000;
}

export async function bench(): Promise<void> {
  const logs = await mkdtemp(path.join(os.tmpdir(), 'bench-app-'));
  const servers: Server[] = [];
  let postgres: TestPostgres | null = null;
  try {
    postgres = await startPostgres();
    servers.push(await startServer('bare node:http', ['-e', BARE_SERVER], path.join(logs, 'bare.log')));
    servers.push(await startServer('bare Koa', ['-e', BARE_KOA], path.join(logs, 'koa.log')));
    servers.push(await startServer('Fastify + logger', ['-e', FASTIFY_LOGGING], path.join(logs, 'fastify.log')));
    servers.push(await startServer('app', [SERVER_SCRIPT], path.join(logs, 'app.log')));
    servers.push(await startServer('app + PostgreSQL', [SERVER_SCRIPT], path.join(logs, 'app-db.log'), { DATABASE_URL: postgres.url }));
    for (const server of servers) await load(server.url, 1);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const server of servers) server.rounds.push(await load(server.url, ROUND_SECONDS));
    }
  } finally {
    for (const server of servers) server.process.kill('SIGTERM');
    await Promise.all(servers.map((server) => server.process.catch(() => undefined)));
    await postgres?.remove();
    await rm(logs, { recursive: true, force: true });
  }

  const [bare, koa, fastify, app, appDb] = servers.map((server) => ({
    name: server.name,
    rps: median(server.rounds.map((round) => round.rps)),
    p99: median(server.rounds.map((round) => round.p99)),
  }));
  console.log(`GET / at 50 connections, median of ${ROUNDS} interleaved rounds of ${ROUND_SECONDS} s:`);
  for (const server of [bare!, koa!, fastify!, app!, appDb!]) {
    console.log(`  ${server.name.padEnd(17)} ${server.rps.toFixed(0).padStart(6)} req/s  p99 ${server.p99} ms  = ${ratio(server.rps, bare!.rps)} of bare node:http`);
  }
  console.log(`app / bare Koa = ${ratio(app!.rps, koa!.rps)} (target >= 0.85x: ${verdict(app!.rps >= 0.85 * koa!.rps)})`);
  console.log(`app / Fastify with its logger = ${ratio(app!.rps, fastify!.rps)} (target >= 1.00x: ${verdict(app!.rps >= fastify!.rps)})`);
  console.log(`app p99 ${app!.p99} ms (target < 10 ms: ${verdict(app!.p99 < 10)})`);
  console.log(`app + PostgreSQL / app = ${ratio(appDb!.rps, app!.rps)} (what counting visits costs; p99 ${appDb!.p99} ms)`);
  const startup = await startShSeconds();
  console.log(`./start.sh until /healthz answers: ${startup.toFixed(2)} s median of 5 (target < 1 s: ${verdict(startup < 1)})`);
}
