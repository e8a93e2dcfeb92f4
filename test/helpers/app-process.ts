import { cp, mkdtemp, copyFile, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { PROJECT_ROOT } from './hooks.js';

export const SERVER_SCRIPT = path.join(PROJECT_ROOT, 'dist', 'app', 'server.js');

/** The compiled app as its own process, as start.sh and the container run it. */
export function startServer(env: Record<string, string>): ResultPromise<{ reject: false; all: true; env: Record<string, string> }> {
  return execa(process.execPath, [SERVER_SCRIPT], { reject: false, all: true, env });
}

export async function waitFor(url: string, timeoutMs = 10_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A proxy in front (docker-proxy) may accept and then hold the connection while the app starts,
    // and fetch alone does not keep the process alive: each attempt gets its own (referenced) timer.
    const attempt = new AbortController();
    const timer = setTimeout(() => attempt.abort(), 1_000);
    try {
      return await fetch(url, { signal: attempt.signal });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * A folder laid out like the project for start.sh (its logs/ stay out of the real checkout).
 * `unbuilt`: the app's sources and tsconfig copied, no dist/, so start.sh has to build.
 */
export async function startShFolder(options: { unbuilt?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'start-sh-'));
  const copied = options.unbuilt ? ['start.sh', 'tsconfig.json', 'tsconfig.app.json'] : ['start.sh'];
  for (const file of copied) await copyFile(path.join(PROJECT_ROOT, file), path.join(dir, file));
  if (options.unbuilt) await cp(path.join(PROJECT_ROOT, 'app'), path.join(dir, 'app'), { recursive: true });
  const linked = options.unbuilt ? ['node_modules'] : ['dist', 'node_modules', 'app'];
  for (const name of linked) await symlink(path.join(PROJECT_ROOT, name), path.join(dir, name));
  return dir;
}
