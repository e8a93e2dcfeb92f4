import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
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

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((version) => path.join(root, version, 'bin')).find((dir) => existsSync(path.join(dir, 'postgres')));
  if (!bin) throw new Error('PostgreSQL server binaries not found: apt-get install -y postgresql (.ci/run does it)');
  return bin;
}

/** PostgreSQL refuses to run as root: under root, the cluster belongs to the `postgres` user. */
const asPostgres = (command: string, args: string[]): [string, string[]] =>
  process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];

export interface TestPostgres {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

/** A private cluster: its own data dir and socket dir in a temp folder, a free port on 127.0.0.1. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    await chown(dir, Number((await execa('id', ['-u', 'postgres'])).stdout), Number((await execa('id', ['-g', 'postgres'])).stdout));
  }
  await chmod(dir, 0o700);
  const [initdb, initArgs] = asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  await execa(initdb, initArgs);
  const port = await freePort();
  const pgCtl = (...args: string[]) => {
    const [command, commandArgs] = asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, ...args]);
    return execa(command, commandArgs);
  };
  const start = async (): Promise<void> => {
    await pgCtl('-w', '-t', '20', '-l', path.join(dir, 'server.log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start');
  };
  const stop = async (): Promise<void> => {
    await pgCtl('-w', '-m', 'fast', 'stop').catch(() => undefined);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    async remove() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
