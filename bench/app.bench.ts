/**
 * GET / throughput and p99 latency at 50 connections (autocannon), the app against baselines
 * measured in the same run, rounds interleaved so that a noisy moment hits every server alike:
 * a bare Koa hello (no routes, headers or logs), Fastify with its logger on (pino, to a file) and,
 * for scale, bare node:http. Each server writes its log to a file, the app as under ./start.sh
 * (LOG_FILE, rotated at 10 MB). The app is measured twice: without a database, and as production
 * runs it, counting each visit in PostgreSQL (the embedded server of the tests). Then ./start.sh
 * until /healthz answers.
 * A ratio is the median of the rounds' own ratios (each round's servers run back to back), with
 * their range: on a shared machine a ratio of medians mixes moments the servers did not share.
 * Each server gets the same load (a warm-up second, then ROUNDS rounds); afterwards the app's
 * access log and visit counter are read back, to show that every answer was logged and counted.
 * Throughput is what the targets name, but on a machine busy with other work the load generator
 * (in this process) may be what sets the pace, and then every server looks alike. So each round
 * also reads the server's own CPU time (user + system, from /proc: Linux only), and the app's
 * capacity (answers per CPU second) is compared with bare Koa's as well.
 * Targets: >= 0.85x bare Koa, >= 1.00x Fastify with its logger, p99 < 10 ms, start.sh < 1 s.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { execa, type ResultPromise } from 'execa';
import { SERVER_SCRIPT, startShFolder, waitFor } from '../test/helpers/app-process.js';
import { freePort, startPostgres, type TestPostgres } from '../test/helpers/postgres.js';
import { verdict } from './measure.js';

const BARE_SERVER = `require('node:http').createServer((req, res) => { res.setHeader('content-type', 'text/plain'); res.end('Hello World'); }).listen(Number(process.env.PORT), '127.0.0.1');`;
const BARE_KOA = `const Koa = require('koa'); const app = new Koa(); app.use((ctx) => { ctx.type = 'text/plain'; ctx.body = 'Hello World'; }); require('node:http').createServer(app.callback()).listen(Number(process.env.PORT), '127.0.0.1');`;
const FASTIFY_LOGGING = `const app = require('fastify')({ logger: { file: process.env.LOG_FILE } }); app.get('/', async () => 'Hello World'); app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });`;

const ROUNDS = 8;
const ROUND_SECONDS = 2;

interface Load {
  rps: number;
  p99: number;
  /** Answers received (2xx), to compare with what the app logged and counted. */
  answered: number;
  /** The server's CPU time per answer, µs; null where /proc cannot say. */
  cpuUs: number | null;
}

interface Server {
  name: string;
  url: string;
  logFile: string;
  process: ResultPromise;
  rounds: Load[];
  answered: number;
}

/** Clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** A process's CPU time so far (user + system), in seconds; null off Linux. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null;
  }
}

async function load(server: Pick<Server, 'url' | 'process'>, seconds: number): Promise<Load> {
  const cpuBefore = cpuSeconds(server.process.pid);
  const result = await autocannon({ url: server.url, connections: 50, duration: seconds });
  const cpuAfter = cpuSeconds(server.process.pid);
  const cpuUs = cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1e6) / result.requests.total;
  return { rps: result.requests.total / result.duration, p99: result.latency.p99, answered: result['2xx'], cpuUs };
}

/** A server as its own process, its log in a file of its own. */
async function startServer(name: string, args: string[], logFile: string, extraEnv: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const env = { PORT: String(port), HOST: '127.0.0.1', LOG_FILE: logFile, ...extraEnv };
  const child = execa(process.execPath, args, { env, stdout: { file: logFile, append: true }, reject: false });
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(url);
  // waitFor's own GET / is an answer too.
  return { name, url, logFile, process: child, rounds: [], answered: 1 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function stopAll(servers: Server[]): Promise<void> {
  for (const server of servers) server.process.kill('SIGTERM');
  await Promise.all(servers.map((server) => server.process.catch(() => undefined)));
}

/** A round's figure where more is better: its throughput, or its answers per CPU second. */
type Figure = (round: Load) => number | null;
const throughput: Figure = (round) => round.rps;
const capacity: Figure = (round) => (round.cpuUs ? 1e6 / round.cpuUs : null);

/** `server` against `baseline`: the median of the rounds' ratios, with their range; null without the figure. */
function pairedRatio(server: Server, baseline: Server, figure: Figure = throughput): { median: number; min: number; max: number } | null {
  const ratios: number[] = [];
  server.rounds.forEach((round, index) => {
    const [mine, theirs] = [figure(round), figure(baseline.rounds[index]!)];
    if (mine !== null && theirs !== null) ratios.push(mine / theirs);
  });
  return ratios.length === 0 ? null : { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

function describeRatio(server: Server, baseline: Server, target: number, figure: Figure = throughput): string {
  const paired = pairedRatio(server, baseline, figure);
  const what = `${server.name} / ${baseline.name}${figure === capacity ? ' in answers per CPU second' : ''}`;
  if (!paired) return `${what}: not measured (no /proc)`;
  return `${what} = ${paired.median.toFixed(2)}x (rounds ${paired.min.toFixed(2)}-${paired.max.toFixed(2)}x; target >= ${target.toFixed(2)}x: ${verdict(paired.median >= target)})`;
}

/** Access lines for GET / in a server's log and its rotated files. */
async function greetingsLogged(logFile: string): Promise<number> {
  const dir = path.dirname(logFile);
  const files = (await readdir(dir)).filter((name) => name.startsWith(path.basename(logFile)));
  let lines = 0;
  for (const name of files) lines += (await readFile(path.join(dir, name), 'utf8')).split('"path":"/","status":200').length - 1;
  return lines;
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

function report(servers: Server[], visitsCounted: number, greetingsLoggedByApps: [number, number]): void {
  const [bare, koa, fastify, app, appDb] = servers as [Server, Server, Server, Server, Server];
  const p99 = (server: Server): number => median(server.rounds.map((round) => round.p99));
  console.log(`GET / at 50 connections, ${ROUNDS} interleaved rounds of ${ROUND_SECONDS} s after a warm-up second, medians:`);
  for (const server of servers) {
    const rps = median(server.rounds.map((round) => round.rps));
    const cpu = server.rounds.every((round) => round.cpuUs !== null) ? `  CPU ${median(server.rounds.map((round) => round.cpuUs!)).toFixed(1)} µs/answer` : '';
    console.log(`  ${server.name.padEnd(17)} ${rps.toFixed(0).padStart(6)} req/s  p99 ${p99(server)} ms  = ${pairedRatio(server, bare)!.median.toFixed(2)}x of bare node:http${cpu}`);
  }
  console.log(describeRatio(app, koa, 0.85));
  console.log(describeRatio(app, koa, 0.85, capacity));
  console.log(describeRatio(app, fastify, 1));
  console.log(`app p99 ${p99(app)} ms (target < 10 ms: ${verdict(p99(app) < 10)})`);
  console.log(`${describeRatio(appDb, koa, 0.85)}: as production runs`);
  console.log(describeRatio(appDb, koa, 0.85, capacity));
  console.log(`app + PostgreSQL / app = ${pairedRatio(appDb, app)!.median.toFixed(2)}x (what counting visits costs; p99 ${p99(appDb)} ms)`);
  // autocannon counts the answers it read; an answer still in flight when a round ends is logged and counted by the app but not by autocannon.
  console.log(`access lines for GET / in the logs: app ${greetingsLoggedByApps[0]} for ${app.answered} answers, app + PostgreSQL ${greetingsLoggedByApps[1]} for ${appDb.answered}; visits counted ${visitsCounted}`);
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
    for (const server of servers) server.answered += (await load(server, 1)).answered;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const server of servers) server.rounds.push(await load(server, ROUND_SECONDS));
    }
    const [app, appDb] = servers.slice(3) as [Server, Server];
    // The visits written behind the greetings so far (GET /visits waits for them).
    const counted = ((await (await fetch(new URL('/visits', appDb.url))).json()) as { visits: number }).visits;
    // A clean stop writes every pending log line.
    await stopAll(servers);
    for (const server of servers) server.answered += server.rounds.reduce((sum, round) => sum + round.answered, 0);
    report(servers, counted, [await greetingsLogged(app.logFile), await greetingsLogged(appDb.logFile)]);
  } finally {
    await stopAll(servers);
    await postgres?.remove();
    await rm(logs, { recursive: true, force: true });
  }
  const startup = await startShSeconds();
  console.log(`./start.sh until /healthz answers: ${startup.toFixed(2)} s median of 5 (target < 1 s: ${verdict(startup < 1)})`);
}
