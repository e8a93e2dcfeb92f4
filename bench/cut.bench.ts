/**
 * release:cut --dry-run --json on histories of 10,000 and 100,000 commits between main and
 * develop, against the floor a shell one-liner needs to list the same keys.
 * Targets: <= 3x the floor at 10k, <= 1.5x at 100k, peak memory < 200 MB at 100k.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { git } from '../src/sandbox.js';
import { measure, measureInterleaved, ratio, verdict } from './measure.js';

/** The cut as `npm run release:cut` runs it: one bundled file (scripts/build.sh). */
const CUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bundle', 'release-cut.mjs');
const KEY_PATTERN = '\\b[A-Z][A-Z0-9_]+-[0-9]+\\b';

/** A git fast-import stream: main with one commit, develop `count` commits ahead, ~3,000 distinct keys. */
function history(count: number): string {
  const chunks: string[] = [];
  const data = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const who = 'committer Bench <bench@example.com> 1700000000 +0000\n';
  chunks.push(`commit refs/heads/main\nmark :1\n${who}${data('chore: start')}M 644 inline README.md\n${data('# bench')}`);
  chunks.push('reset refs/heads/develop\nfrom :1\n\n');
  for (let i = 0; i < count; i += 1) {
    const key = `${['EPN', 'OPS', 'WEB'][i % 3]}-${1 + ((i * 7919) % 1000)}`;
    const message = i % 10 === 0
      ? `chore: routine change ${i}\n\nNo card: UTF-8 cleanup, SHA-256 sums.`
      : `feat(area${i % 17}): change number ${i}\n\nImplements ${key}.\nSee https://acme.atlassian.net/browse/${key}\n`;
    const file = i % 50 === 0 ? `M 644 inline src/file${i % 500}.txt\n${data(`version ${i}`)}` : '';
    chunks.push(`commit refs/heads/develop\n${who}${data(message)}${file}\n`);
  }
  return chunks.join('');
}

export async function buildRepository(count: number): Promise<{ root: string; work: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), `bench-cut-${count}-`));
  const origin = path.join(root, 'origin.git');
  const staging = path.join(root, 'staging.git');
  const work = path.join(root, 'work');
  const $$ = git(root);
  await $$`git init --quiet --bare --initial-branch=main ${origin}`;
  await $$`git init --quiet --bare --initial-branch=main ${staging}`;
  const imported = spawnSync('git', ['fast-import', '--quiet'], { cwd: origin, input: history(count) });
  if (imported.status !== 0) throw new Error(`fast-import failed: ${imported.stderr}`);
  await $$`git clone --quiet ${origin} ${work}`;
  const w = git(work);
  await w`git branch --quiet develop origin/develop`;
  await w`git remote add staging ${staging}`;
  await w`git push --quiet staging main`;
  return { root, work };
}

export async function bench(): Promise<void> {
  for (const [count, target, runs] of [[10_000, 3, 15], [100_000, 1.5, 5]] as const) {
    const { root, work } = await buildRepository(count);
    try {
      const floorCommand = ['bash', '-c', `git log --format=%B main..develop | grep -oE '${KEY_PATTERN}' | sort -u`];
      const cutCommand = [process.execPath, CUT, '--dry-run', '--json', '--yes', '--repo', work];
      const env = { CI: 'true' };
      // In turns, so that a machine whose load drifts slows both alike; the peak from a run of its own.
      const ms = measureInterleaved([{ name: 'floor', command: floorCommand, cwd: work }, { name: 'cut', command: cutCommand, cwd: work, env }], runs);
      const { peakMb } = measure(cutCommand, { cwd: work, runs: 1, env: { ...process.env, ...env } });
      const times = ms.cut! / ms.floor!;
      console.log(`${count.toLocaleString('en')} commits (medians of ${runs} interleaved runs): floor ${ms.floor!.toFixed(0)} ms, cut --dry-run ${ms.cut!.toFixed(0)} ms => ${ratio(ms.cut!, ms.floor!)} (target <= ${target}x: ${verdict(times <= target)}); peak memory ${peakMb.toFixed(0)} MB${count === 100_000 ? ` (target < 200 MB: ${verdict(peakMb < 200)})` : ''}`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
}
