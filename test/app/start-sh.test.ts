import { existsSync } from 'node:fs';
import { readFile, rm, utimes } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { execa } from 'execa';
import { PROJECT_ROOT } from '../helpers/hooks.js';
import { startShFolder } from '../helpers/app-process.js';
import { freePort } from '../helpers/postgres.js';
import { SHELLCHECK_INSTALL, testNeedingTool } from '../helpers/system-tool.js';

async function startSh(dir: string, args: string[], env: Record<string, string>) {
  const result = await execa('bash', [path.join(dir, 'start.sh'), ...args], { reject: false, all: true, env });
  return { exitCode: result.exitCode ?? -1, output: String(result.all) };
}

const startScript = suite('start.sh');
let dir = '';
let env: Record<string, string> = {};
startScript.before(async () => {
  dir = await startShFolder();
  env = { PORT: String(await freePort()) };
});
startScript.after(async () => {
  await startSh(dir, ['stop'], env);
  await rm(dir, { recursive: true, force: true });
});

testNeedingTool(startScript, 'shellcheck', SHELLCHECK_INSTALL)('passes shellcheck', async () => {
  const result = await execa('shellcheck', [path.join(PROJECT_ROOT, 'start.sh')], { reject: false, all: true });
  assert.is(result.exitCode, 0, String(result.all));
});

startScript('starts on a free port, logs to logs/app.log, then status, a second start, stop', async () => {
  const started = await startSh(dir, [], env);
  assert.is(started.exitCode, 0, started.output);
  assert.match(started.output, `at http://127.0.0.1:${env.PORT}/`);
  const pid = Number(await readFile(path.join(dir, 'logs', 'app.pid'), 'utf8'));
  assert.ok(pid > 0);
  assert.is(await (await fetch(`http://127.0.0.1:${env.PORT}/`)).text(), 'Hello World');

  const log = await readFile(path.join(dir, 'logs', 'app.log'), 'utf8');
  assert.match(log, '"msg":"listening"');
  assert.match(log, '"path":"/healthz","status":200');

  const status = await startSh(dir, ['status'], env);
  assert.is(status.exitCode, 0);
  assert.match(status.output, `running (pid ${pid})`);
  const again = await startSh(dir, [], env);
  assert.match(again.output, `already running (pid ${pid})`);

  const stopped = await startSh(dir, ['stop'], env);
  assert.is(stopped.exitCode, 0);
  assert.match(stopped.output, `stopped (pid ${pid})`);
  assert.not.ok(existsSync(path.join(dir, 'logs', 'app.pid')));
  assert.throws(() => process.kill(pid, 0), 'the process is gone');
  const after = await startSh(dir, ['status'], env);
  assert.is(after.exitCode, 3);
  assert.match(after.output, 'not running');
});

startScript('a busy port is refused, naming the process that holds it', async () => {
  const holder = http.createServer().listen(Number(env.PORT), '127.0.0.1');
  try {
    const refused = await startSh(dir, [], env);
    assert.is(refused.exitCode, 1);
    assert.match(refused.output, new RegExp(`port ${env.PORT} is already in use by node \\(pid ${process.pid}\\); stop that process or choose another port`));
    assert.not.ok(existsSync(path.join(dir, 'logs', 'app.pid')));
  } finally {
    holder.close();
  }
});

startScript('an app that dies during start-up is reported with its last log lines', async () => {
  const crashed = await startSh(dir, [], { ...env, DATABASE_URL: 'mysql://nope' });
  assert.is(crashed.exitCode, 1);
  assert.match(crashed.output, 'the app exited during start-up; last lines of logs/app.log');
  assert.match(crashed.output, 'hello-app: DATABASE_URL must be a postgres:// URL');
});
startScript('builds the app when its compiled output is missing or older than the sources, not otherwise', async () => {
  const fresh = await startShFolder({ unbuilt: true });
  const freshEnv = { PORT: String(await freePort()) };
  try {
    const first = await startSh(fresh, [], freshEnv);
    assert.is(first.exitCode, 0, first.output);
    assert.match(first.output, 'building (compiled output missing');
    assert.is(await (await fetch(`http://127.0.0.1:${freshEnv.PORT}/`)).text(), 'Hello World');
    assert.not.ok(existsSync(path.join(fresh, 'dist', 'src')), 'only the app is compiled');
    await startSh(fresh, ['stop'], freshEnv);

    const unchanged = await startSh(fresh, [], freshEnv);
    assert.not.match(unchanged.output, 'building');
    await startSh(fresh, ['stop'], freshEnv);

    const source = path.join(fresh, 'app', 'app.ts');
    const later = new Date(Date.now() + 5_000);
    await utimes(source, later, later);
    const edited = await startSh(fresh, [], freshEnv);
    assert.is(edited.exitCode, 0, edited.output);
    assert.match(edited.output, 'building (compiled output missing or older than the sources)');
  } finally {
    await startSh(fresh, ['stop'], freshEnv);
    await rm(fresh, { recursive: true, force: true });
  }
});

startScript.run();
