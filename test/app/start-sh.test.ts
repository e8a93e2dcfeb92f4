import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { suite } from '../helpers/suite.js';
import * as assert from 'uvu/assert';
import { execa, type ResultPromise } from 'execa';
import { PROJECT_ROOT } from '../helpers/hooks.js';
import { startShFolder, waitFor } from '../helpers/app-process.js';
import { freePort } from '../helpers/postgres.js';
import { SHELLCHECK_INSTALL, SYSTEM_TOOLS, testNeeding, testNeedingTool } from '../helpers/system-tool.js';
import { waitUntil } from '../helpers/wait.js';

async function startSh(dir: string, args: string[], env: Record<string, string>) {
  const result = await execa('bash', [path.join(dir, 'start.sh'), ...args], { reject: false, all: true, env });
  return { exitCode: result.exitCode ?? -1, output: String(result.all) };
}

/** The app writes its log in batches (at most 20 ms late): wait for a line rather than race it (a loaded runner is slow). */
async function logContains(file: string, text: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const log = existsSync(file) ? await readFile(file, 'utf8') : '';
    if (log.includes(text) || Date.now() > deadline) return log;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Running, that is: signal 0 reaches it and it is not a zombie waiting for its parent to reap it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
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

  const log = await logContains(path.join(dir, 'logs', 'app.log'), '"path":"/healthz","status":200');
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
  assert.not.ok(alive(pid), 'the process has exited');
  const after = await startSh(dir, ['status'], env);
  assert.is(after.exitCode, 3);
  assert.match(after.output, 'not running');
});

/** The pids of live processes running this folder's app (start.sh runs `node <folder>/dist/app/server.js`). */
async function appProcesses(folder: string): Promise<number[]> {
  const pids = [];
  for (const name of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    const command = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (command.includes(`${folder}/dist/app/server.js`) && alive(Number(name))) pids.push(Number(name));
  }
  return pids;
}

startScript('two starts at once: exactly one app runs, and both starts and the pid file name it', async () => {
  const [first, second] = await Promise.all([startSh(dir, [], env), startSh(dir, [], env)]);
  assert.is(first.exitCode, 0, first.output);
  assert.is(second.exitCode, 0, second.output);
  const pid = Number(await readFile(path.join(dir, 'logs', 'app.pid'), 'utf8'));
  assert.equal(await appProcesses(dir), [pid], 'one app, the one the pid file names');
  const said = [first.output, second.output].join('\n');
  assert.match(said, `running (pid ${pid})`);
  assert.match(said, `already running (pid ${pid})`);
  assert.not.ok(existsSync(path.join(dir, 'logs', 'start.lock')), 'the lock is released');
  assert.match((await startSh(dir, ['stop'], env)).output, `stopped (pid ${pid})`);
  assert.equal(await appProcesses(dir), []);
});

startScript('a lock left by a start.sh that was killed is taken over', async () => {
  const gone = execa('true');
  await gone;
  await mkdir(path.join(dir, 'logs', 'start.lock'), { recursive: true });
  await writeFile(path.join(dir, 'logs', 'start.lock', 'pid'), `${gone.pid}\n`);
  const started = await startSh(dir, [], env);
  assert.is(started.exitCode, 0, started.output);
  assert.match(started.output, `removed the lock of a start.sh that is gone (pid ${gone.pid})`);
  assert.is((await startSh(dir, ['stop'], env)).exitCode, 0);
});

for (const host of ['::1', '127.0.0.2']) {
  (host === '::1' ? testNeeding(startScript, SYSTEM_TOOLS.ipv6Loopback) : startScript)(`HOST=${host}: start.sh waits for the app at that address, and status and stop find it`, async () => {
    const hostEnv = { ...env, HOST: host };
    const url = host.includes(':') ? `http://[${host}]:${env.PORT}` : `http://${host}:${env.PORT}`;
    const started = await startSh(dir, [], hostEnv);
    assert.is(started.exitCode, 0, started.output);
    assert.match(started.output, `at ${url}/`);
    assert.is(await (await fetch(`${url}/`)).text(), 'Hello World');
    assert.match((await startSh(dir, ['status'], hostEnv)).output, `running (pid `);
    assert.match((await startSh(dir, ['stop'], hostEnv)).output, 'stopped (pid ');
  });
}

testNeeding(startScript, SYSTEM_TOOLS.ss)('a busy port is refused, naming the process that holds it', async () => {
  const holder = http.createServer().listen(Number(env.PORT), '127.0.0.1');
  // listen() binds on a later tick: without waiting, a loaded machine may run start.sh's check first.
  await once(holder, 'listening');
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
  assert.match(crashed.output, 'the app exited during start-up; last lines of logs/console.log and logs/app.log');
  assert.match(crashed.output, 'hello-app: DATABASE_URL must be a postgres:// URL');
});
startScript('a pid file naming an unrelated live process: status says not running, stop spares it, start starts the app', async () => {
  const pidFile = path.join(dir, 'logs', 'app.pid');
  const unrelated = execa('sleep', ['60'], { reject: false });
  try {
    await mkdir(path.join(dir, 'logs'), { recursive: true });
    await writeFile(pidFile, `${unrelated.pid}\n`);
    const status = await startSh(dir, ['status'], env);
    assert.is(status.exitCode, 3, status.output);
    assert.match(status.output, `logs/app.pid named pid ${unrelated.pid}, which is not this app (sleep 60`);
    assert.match(status.output, 'not running');
    assert.not.ok(existsSync(pidFile), 'the stale pid file is removed');

    await writeFile(pidFile, `${unrelated.pid}\n`);
    const stopped = await startSh(dir, ['stop'], env);
    assert.is(stopped.exitCode, 0, stopped.output);
    assert.match(stopped.output, 'not running');
    assert.ok(alive(unrelated.pid!), 'the unrelated process survives stop');

    await writeFile(pidFile, `${unrelated.pid}\n`);
    const started = await startSh(dir, [], env);
    assert.is(started.exitCode, 0, started.output);
    const appPid = Number(await readFile(pidFile, 'utf8'));
    assert.is.not(appPid, unrelated.pid);
    assert.match(started.output, `running (pid ${appPid})`);
    assert.is(await (await fetch(`http://127.0.0.1:${env.PORT}/`)).text(), 'Hello World');
    assert.match((await startSh(dir, ['stop'], env)).output, `stopped (pid ${appPid})`);
    assert.ok(alive(unrelated.pid!), 'still alive after the app was stopped');
  } finally {
    unrelated.kill();
    await unrelated;
  }
});

testNeeding(startScript, SYSTEM_TOOLS.ss)('a pid file naming another node server on $PORT: never signalled, start names it as the port holder', async () => {
  const pidFile = path.join(dir, 'logs', 'app.pid');
  const other: ResultPromise = execa(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('other')).listen(${env.PORT}, '127.0.0.1')`], { reject: false });
  try {
    await waitFor(`http://127.0.0.1:${env.PORT}/`);
    await mkdir(path.join(dir, 'logs'), { recursive: true });
    await writeFile(pidFile, `${other.pid}\n`);
    const stopped = await startSh(dir, ['stop'], env);
    assert.match(stopped.output, 'which is not this app (');
    assert.match(stopped.output, 'not running');
    assert.is(await (await fetch(`http://127.0.0.1:${env.PORT}/`)).text(), 'other', 'the other server still answers');

    await writeFile(pidFile, `${other.pid}\n`);
    const started = await startSh(dir, [], env);
    assert.is(started.exitCode, 1);
    assert.match(started.output, `port ${env.PORT} is already in use by node (pid ${other.pid})`);
    assert.ok(alive(other.pid!));
  } finally {
    other.kill();
    await other;
  }
});

testNeeding(startScript, SYSTEM_TOOLS.ps)('a pid file naming a zombie counts as stopped: stop returns at once, status says not running', async () => {
  const pidFile = path.join(dir, 'logs', 'app.pid');
  // The shell starts a short sleep in the background, then becomes `sleep 60`, which never reaps
  // it: once the short one exits (after the exec, so the shell cannot have reaped it) it is a zombie.
  const parent = execa('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 60'], { reject: false, buffer: false });
  try {
    const zombie = await new Promise<number>((resolve) => parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
    await waitUntil(async () => /\) Z /.test(await readFile(`/proc/${zombie}/stat`, 'utf8')), 'the short sleep to become a zombie');
    assert.match(await readFile(`/proc/${zombie}/stat`, 'utf8'), /\) Z /, 'the process is a zombie');
    assert.not.throws(() => process.kill(zombie, 0), 'kill -0 counts a zombie as alive');

    await mkdir(path.join(dir, 'logs'), { recursive: true });
    await writeFile(pidFile, `${zombie}\n`);
    // Counted as alive, the zombie would be sent SIGTERM, waited for, then killed: the output says which.
    const stopped = await startSh(dir, ['stop'], env);
    assert.match(stopped.output, `named pid ${zombie}, which is not this app (a zombie: it has exited)`);
    assert.match(stopped.output, 'not running');
    assert.not.match(stopped.output, 'killed');

    await writeFile(pidFile, `${zombie}\n`);
    const status = await startSh(dir, ['status'], env);
    assert.is(status.exitCode, 3);
    assert.not.ok(existsSync(pidFile));
  } finally {
    parent.kill();
    await parent;
  }
});

startScript('logs/app.log is rotated by size: LOG_MAX_SIZE=2K, LOG_KEEP=2', async () => {
  const rotating = await startShFolder();
  const rotatingEnv = { PORT: String(await freePort()), LOG_MAX_SIZE: '2K', LOG_KEEP: '2' };
  try {
    const started = await startSh(rotating, [], rotatingEnv);
    assert.is(started.exitCode, 0, started.output);
    for (let batch = 0; batch < 12; batch += 1) {
      await Promise.all(Array.from({ length: 10 }, () => fetch(`http://127.0.0.1:${rotatingEnv.PORT}/healthz`).then((response) => response.text())));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await startSh(rotating, ['stop'], rotatingEnv);
    const logs = path.join(rotating, 'logs');
    assert.equal((await readdir(logs)).filter((name) => name.startsWith('app.log')).sort(), ['app.log', 'app.log.1', 'app.log.2']);
    assert.match(await readFile(path.join(logs, 'app.log'), 'utf8'), '"msg":"stopped"', 'the newest lines are in app.log');
  } finally {
    await startSh(rotating, ['stop'], rotatingEnv);
    await rm(rotating, { recursive: true, force: true });
  }
});

testNeeding(startScript, SYSTEM_TOOLS.ps)('without ss and lsof, the pid and port checks read /proc', async () => {
  const tools = await mkdtemp(path.join(os.tmpdir(), 'start-sh-tools-'));
  const used = ['bash', 'node', 'sed', 'tr', 'cat', 'ps', 'awk', 'find', 'mkdir', 'mv', 'rm', 'sleep', 'seq', 'tail', 'dirname', 'cut', 'nohup', 'grep', 'head', 'env'];
  for (const tool of used) {
    const found = (await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim();
    await symlink(found, path.join(tools, tool));
  }
  const bareEnv = { ...env, PATH: tools };
  try {
    const started = await startSh(dir, [], bareEnv);
    assert.is(started.exitCode, 0, started.output);
    const pid = Number(await readFile(path.join(dir, 'logs', 'app.pid'), 'utf8'));
    assert.match((await startSh(dir, ['status'], bareEnv)).output, `running (pid ${pid})`);
    assert.match((await startSh(dir, ['status'], { ...bareEnv, PORT: String(await freePort()) })).output, `the app runs as pid ${pid} but does not listen on port`);
    assert.match((await startSh(dir, ['stop'], bareEnv)).output, `stopped (pid ${pid})`);
  } finally {
    await startSh(dir, ['stop'], env);
    await rm(tools, { recursive: true, force: true });
  }
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

/** Writes zeros into `file` until the file system refuses with ENOSPC. */
async function fillDisk(file: string): Promise<void> {
  const chunk = Buffer.alloc(4096);
  const handle = await open(file, 'w');
  try {
    for (;;) await handle.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await handle.close();
  }
}

// A real full disk: a 64 KB tmpfs mounted over logs/ (mounting needs root; elsewhere the case is skipped, saying so).
const fullDisk = suite('start.sh: a full disk under logs/');
const asRoot = process.getuid?.() === 0;
let diskDir = '';
let diskEnv: Record<string, string> = {};
fullDisk.before(async () => {
  if (!asRoot) return;
  diskDir = await startShFolder();
  diskEnv = { PORT: String(await freePort()) };
  await mkdir(path.join(diskDir, 'logs'));
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', path.join(diskDir, 'logs')]);
});
fullDisk.after(async () => {
  if (!asRoot) return;
  await startSh(diskDir, ['stop'], diskEnv);
  await execa('umount', [path.join(diskDir, 'logs')], { reject: false });
  await rm(diskDir, { recursive: true, force: true });
});

(asRoot ? fullDisk : fullDisk.skip)('the app keeps answering, counts the lines it could not write, and logs again once there is space', async () => {
  const logs = path.join(diskDir, 'logs');
  const started = await startSh(diskDir, [], diskEnv);
  assert.is(started.exitCode, 0, started.output);
  const pid = Number(await readFile(path.join(logs, 'app.pid'), 'utf8'));
  await fillDisk(path.join(logs, 'filler'));

  for (let n = 0; n < 300; n += 1) {
    assert.is(await (await fetch(`http://127.0.0.1:${diskEnv.PORT}/`)).text(), 'Hello World');
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(alive(pid), 'the app is still running with the disk full');
  assert.match((await startSh(diskDir, ['status'], diskEnv)).output, `running (pid ${pid})`);

  await rm(path.join(logs, 'filler'));
  const resumed = await logContains(path.join(logs, 'app.log'), '"msg":"log lines dropped');
  const notice = resumed.split('\n').find((line) => line.includes('"msg":"log lines dropped'));
  assert.ok(notice, `the log says lines were dropped:\n${resumed.slice(-500)}`);
  const { dropped } = JSON.parse(notice) as { dropped: number };
  // Not an exact account: the write that meets the full disk may be cut short without an error
  // (rotating-file-stream ignores a short write), and those lines are lost uncounted.
  const logged = resumed.split('\n').filter((line) => line.includes('"path":"/","status":200')).length;
  assert.ok(dropped >= 100, `most lost lines are counted (${dropped} dropped, ${logged} logged of 300)`);
  assert.match(await readFile(path.join(logs, 'console.log'), 'utf8'), `writing logs/app.log again; ${dropped} log lines were dropped meanwhile`);

  assert.is((await fetch(`http://127.0.0.1:${diskEnv.PORT}/after-the-disk-was-freed`)).status, 404);
  assert.match(await logContains(path.join(logs, 'app.log'), '/after-the-disk-was-freed'), '"path":"/after-the-disk-was-freed","status":404', 'new requests are logged again');
});
if (!asRoot) console.log('skipped "start.sh: a full disk under logs/": mounting a small tmpfs needs root');

fullDisk.run();
