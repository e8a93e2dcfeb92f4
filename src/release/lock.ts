import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

/**
 * One cut per repository at a time: an exclusive file under the git dir, removed on every
 * exit path (the returned release function, plus a process 'exit' hook for the rest).
 * A lock left by a process that no longer runs on this host is taken over.
 */
export function acquireLock(gitCommonDir: string, warn: (line: string) => void): () => void {
  const file = path.join(gitCommonDir, 'release-cut.lock');
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt += 1) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = readOwner(file);
      if (holder && (holder.host !== owner.host || isAlive(holder.pid))) {
        throw new UserError(`another release cut is running (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`, {
          hint: `wait for it to finish; if it crashed, delete ${file}`,
        });
      }
      warn(`removing a stale lock left by a cut that no longer runs (${file})`);
      unlinkSync(file);
    }
  }
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
  process.on('exit', release);
  return release;
}
