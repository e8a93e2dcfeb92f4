/**
 * release:status on the 10,000-commit bench history, after a real cut of it (so a release and
 * its record exist): the current release, a card, and a release tag, each against the floor a
 * shell one-liner needs to list the history's keys. Target: each within 3x the floor.
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRepository } from './cut.bench.js';
import { measureInterleaved, ratio, verdict } from './measure.js';

const bundles = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bundle');
const KEY_PATTERN = '\\b[A-Z][A-Z0-9_]+-[0-9]+\\b';
const TARGET = 3;

export async function bench(): Promise<void> {
  const { root, work } = await buildRepository(10_000);
  try {
    const env = { ...process.env, CI: 'true' };
    execFileSync(process.execPath, [path.join(bundles, 'release-cut.mjs'), '--repo', work, '--yes'], { env, stdio: 'ignore' });
    const tag = execFileSync('git', ['tag', '--list', 'release/*'], { cwd: work, encoding: 'utf8' }).trim();
    const status = (args: string[]) => [process.execPath, path.join(bundles, 'release-status.mjs'), '--repo', work, '--json', ...args];
    const times = measureInterleaved([
      { name: 'floor', command: ['bash', '-c', `git log --format=%B origin/develop | grep -oE '${KEY_PATTERN}' | sort -u`], cwd: work },
      { name: 'current', command: status([]), cwd: work, env },
      { name: 'card', command: status(['EPN-7']), cwd: work, env },
      { name: 'tag', command: status([tag]), cwd: work, env },
    ], 5);
    const floor = times.floor!;
    console.log(`10,000 commits: floor (git log | grep | sort -u) ${floor.toFixed(0)} ms`);
    for (const name of ['current', 'card', 'tag']) {
      const ms = times[name]!;
      console.log(`  release:status ${name === 'current' ? '' : name === 'card' ? 'EPN-7 ' : `${tag} `}--json: ${ms.toFixed(0)} ms => ${ratio(ms, floor)} (target <= ${TARGET}x: ${verdict(ms / floor <= TARGET)})`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
