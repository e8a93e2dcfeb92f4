/**
 * GET / throughput and p99 latency at 50 connections (autocannon) against a bare node:http
 * hello server measured in the same run; and ./start.sh until /healthz answers.
 * Targets: >= 75% of the bare server's requests/s, p99 < 10 ms, start.sh < 1 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { execa } from 'execa';
import { SERVER_SCRIPT, startShFolder, waitFor } from '../test/helpers/app-process.js';
import { freePort } from '../test/helpers/postgres.js';
import { ratio, verdict } from './measure.js';

const BARE_KOA = `const Koa = require('koa'); const app = new Koa(); app.use((ctx) => { ctx.type = 'text/plain'; ctx.body = 'Hello World'; }); require('node:http').createServer(app.callback()).listen(Number(process.env.PORT), '127.0.0.1');`;
const BARE_SERVER = `require('node:http').createServer((req, res) => { res.setHeader('content-type', 'text/plain'); res.end('Hello World'); }).listen(Number(process.env.PORT), '127.0.0.1');`;

async function load(url: string): Promise<{ rps: number; p99: number }> {
  await autocannon({ url, connections: 50, duration: 1 });
  const result = await autocannon({ url, connections: 50, duration: 4 });
  return { rps: result.requests.average, p99: result.latency.p99 };
}

/** A server as its own process, its stdout appended to a file as start.sh does. */
async function measureServer(args: string[], logFile: string): Promise<{ rps: number; p99: number }> {
  const port = await freePort();
  const server = execa(process.execPath, args, { env: { PORT: String(port), HOST: '127.0.0.1' }, stdout: { file: logFile, append: true }, reject: false });
  try {
    await waitFor(`http://127.0.0.1:${port}/`);
    return await load(`http://127.0.0.1:${port}/`);
  } finally {
    server.kill('SIGTERM');
    await server.catch(() => undefined);
  }
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
  return times.sort((a, b) => a - b)[2]! / 1000;
}

export async function bench(): Promise<void> {
  const logs = await mkdtemp(path.join(os.tmpdir(), 'bench-app-'));
  const bare = await measureServer(['-e', BARE_SERVER], path.join(logs, 'bare.log'));
  const koa = await measureServer(['-e', BARE_KOA], path.join(logs, 'koa.log'));
  const app = await measureServer([SERVER_SCRIPT], path.join(logs, 'app.log'));
  await rm(logs, { recursive: true, force: true });
  const share = app.rps / bare.rps;
  console.log(`bare node:http ${bare.rps.toFixed(0)} req/s (p99 ${bare.p99} ms); app ${app.rps.toFixed(0)} req/s (p99 ${app.p99} ms) at 50 connections`);
  console.log(`for scale: a bare Koa hello (no routes, headers or logs) does ${koa.rps.toFixed(0)} req/s = ${ratio(koa.rps, bare.rps)} of bare node:http`);
  console.log(`app throughput = ${ratio(app.rps, bare.rps)} of bare (target >= 0.75x: ${verdict(share >= 0.75)}); p99 ${app.p99} ms (target < 10 ms: ${verdict(app.p99 < 10)})`);
  const startup = await startShSeconds();
  console.log(`./start.sh until /healthz answers: ${startup.toFixed(2)} s median of 5 (target < 1 s: ${verdict(startup < 1)})`);
}
