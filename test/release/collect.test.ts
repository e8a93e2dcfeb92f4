import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { commit, git } from '../../src/sandbox.js';
import type { ReleaseReport } from '../../src/release/report.js';
import { onBranch, runCutCli, sha, snapshot, withSandbox } from '../helpers/cut.js';

const collect = suite('release cut: every commit accounted for (real git)');

type Report = Required<ReleaseReport> & { status: string };

/** A revert as `git revert` writes it: subject `Revert "…"`, body "This reverts commit <sha>." */
async function revert(dir: string, target: string): Promise<string> {
  await git(dir)`git revert --no-edit ${target}`;
  return sha(dir, 'HEAD');
}

collect('Unicode neighbours, reverts inside and outside the range, foreign browse URLs, keyless merges', () => withSandbox(async (sandbox) => {
  const w = git(sandbox.work);
  let released = '';
  await onBranch(sandbox, 'develop', async () => {
    released = await commit(sandbox.work, 'EPN-3: old feature, already released', { 'old.txt': 'old\n' });
  });
  await w`git push --quiet origin ${released}:refs/heads/main`;
  await w`git checkout --quiet main`;
  await w`git merge --quiet --ff-only origin/main`;

  const shas: Record<string, string> = {};
  await onBranch(sandbox, 'develop', async () => {
    shas.unicode = await commit(sandbox.work, 'fix: ÄBC-1 umlaut neighbour, ЖEPN-9, EPN-4é and EPN-5٣ are no keys', { 'u.txt': 'u\n' });
    shas.exported = await commit(sandbox.work, 'EPN-1: add export', { 'export.txt': 'export\n' });
    shas.keep = await commit(sandbox.work, 'EPN-2: keep this', { 'keep.txt': 'keep\n' });
    shas.partial = await commit(sandbox.work, 'EPN-2: but not this', { 'partial.txt': 'partial\n' });
    shas.revertExport = await revert(sandbox.work, shas.exported!);
    shas.revertPartial = await revert(sandbox.work, shas.partial!);
    shas.revertOld = await revert(sandbox.work, released);
    shas.foreign = await commit(sandbox.work, 'EPN-6: see https://evil.example/browse/EPN-6', { 'f.txt': 'f\n' });
    shas.atlassian = await commit(sandbox.work, 'fix: EPN-7\n\nhttps://acme.atlassian.net/browse/EPN-7', { 'a.txt': 'a\n' });
    await w`git checkout --quiet -b topic`;
    shas.topic = await commit(sandbox.work, 'tidy: keyless topic work,\nits subject wrapped   \nover two lines\n\nand a body', { 't.txt': 't\n' });
    await w`git checkout --quiet develop`;
    await w`git merge --quiet --no-ff --no-edit -m ${"Merge branch 'topic' into develop"} topic`;
    shas.merge = await sha(sandbox.work, 'HEAD');
  });

  const result = await runCutCli(sandbox, ['--dry-run', '--json']);
  assert.is(result.exitCode, 0, result.stderr);
  const report = JSON.parse(result.stdout) as Report;

  assert.equal(report.jira.map((card) => [card.key, card.commits.map((c) => c.sha)]), [
    ['EPN-2', [shas.keep]],
    ['EPN-3', [shas.revertOld]],
    ['EPN-6', [shas.foreign]],
    ['EPN-7', [shas.atlassian]],
  ], 'EPN-1 (reverted in the range) is not shipped; no BC-1, EPN-4, EPN-5, EPN-9');
  assert.is(report.jira.find((card) => card.key === 'EPN-6')!.url, null, 'no link to a host that is not Jira');
  assert.is(report.jira.find((card) => card.key === 'EPN-7')!.url, 'https://acme.atlassian.net/browse/EPN-7');
  assert.equal(report.reverted.map((c) => [c.sha, c.reverts, c.revertedBy, c.keys]), [
    [shas.exported, null, shas.revertExport, ['EPN-1']],
    [shas.partial, null, shas.revertPartial, ['EPN-2']],
    [shas.revertExport, shas.exported, null, ['EPN-1']],
    [shas.revertPartial, shas.partial, null, ['EPN-2']],
  ]);
  assert.equal(report.keylessMerges, [{ sha: shas.merge, subject: "Merge branch 'topic' into develop" }]);
  assert.equal(report.withoutJira.map((c) => c.sha), [shas.unicode, shas.topic]);

  // The four lists partition the range: each commit of main..develop in exactly one of them.
  const range = (await w`git rev-list ${'main..develop'}`).stdout.trim().split('\n').sort();
  const listed = [
    ...new Set(report.jira.flatMap((card) => card.commits.map((c) => c.sha))),
    ...report.withoutJira.map((c) => c.sha),
    ...report.reverted.map((c) => c.sha),
    ...report.keylessMerges.map((c) => c.sha),
  ].sort();
  assert.equal(listed, range);
  assert.is(report.commitCount, range.length);
  const subjects = new Map((await w`git log --format=${'%H %s'} ${'main..develop'}`).stdout.trim().split('\n').map((line) => [line.slice(0, 40), line.slice(41)]));
  for (const listedCommit of [...report.jira.flatMap((card) => card.commits), ...report.withoutJira, ...report.reverted, ...report.keylessMerges]) {
    assert.is(listedCommit.subject, subjects.get(listedCommit.sha), 'subjects as git log %s shows them');
  }
  assert.is(subjects.get(shas.topic!), 'tidy: keyless topic work, its subject wrapped over two lines');

  const text = await runCutCli(sandbox, ['--dry-run']);
  assert.match(text.stdout, /### Reverted in this release\n\n- EPN-1: add export \(`\w{7}`\)\n- EPN-2: but not this/);
}));

collect('a revert typed by hand with an abbreviated sha pairs with the commit of the range it names; an unknown one ships', () => withSandbox(async (sandbox) => {
  const shas: Record<string, string> = {};
  await onBranch(sandbox, 'develop', async () => {
    shas.card = await commit(sandbox.work, 'EPN-8: try the new search', { 'search.txt': 'search\n' });
    shas.revert = await commit(sandbox.work, `Revert "EPN-8: try the new search"\n\nThis reverts commit ${shas.card.slice(0, 7)}.`, { 'search.txt': '' });
    shas.unknown = await commit(sandbox.work, 'Revert "OPS-2: something older"\n\nThis reverts commit abcdef0.', { 'older.txt': 'x\n' });
  });
  const result = await runCutCli(sandbox, ['--dry-run', '--json']);
  assert.is(result.exitCode, 0, result.stderr);
  const report = JSON.parse(result.stdout) as Report;
  assert.equal(report.jira.map((card) => card.key), ['OPS-2'], 'EPN-8 was reverted within the range: not shipped');
  assert.equal(report.reverted.map((c) => [c.sha, c.reverts, c.revertedBy]), [[shas.card, null, shas.revert], [shas.revert, shas.card, null]]);
}));

collect('a CHANGELOG.md committed with conflict markers is refused, naming the lines; nothing changes', () => withSandbox(async (sandbox) => {
  await onBranch(sandbox, 'develop', async () => {
    await commit(sandbox.work, 'EPN-1: notes', { 'CHANGELOG.md': '# Changelog\n\n<<<<<<< HEAD\n## 1.1.0\n=======\n## 1.0.1\n>>>>>>> hotfix\n' });
  });
  const before = await snapshot(sandbox);
  const result = await runCutCli(sandbox);
  assert.is(result.exitCode, 1, result.stderr);
  assert.match(result.stderr, 'release-cut: CHANGELOG.md has merge conflict markers (lines 3, 5, 7) — resolve the conflict in CHANGELOG.md');
  assert.equal(await snapshot(sandbox), before);
}));

collect('a Latin-1 CRLF CHANGELOG.md goes through git byte for byte', () => withSandbox(async (sandbox) => {
  const before = Buffer.from('# \xc4nderungen\r\n\r\nNotizen f\xfcr Kunden.\r\n\r\n## 1.0 \u2013 erste\r\n\r\n- Gr\xfc\xdfe\r\n'.replace('\u2013', '-'), 'latin1');
  await onBranch(sandbox, 'develop', async () => {
    await writeFile(path.join(sandbox.work, 'CHANGELOG.md'), before);
    await commit(sandbox.work, 'chore: our changelog, in Latin-1 with CRLF');
    await commit(sandbox.work, 'EPN-1: Gr\xf6\xdfe \xe4ndern', { 'x.txt': 'x\n' });
  });

  const result = await runCutCli(sandbox, ['--json']);
  assert.is(result.exitCode, 0, result.stderr);
  const stored = execFileSync('git', ['cat-file', 'blob', 'main:CHANGELOG.md'], { cwd: sandbox.work });
  const offset = before.indexOf('## 1.0');
  const tail = before.length - offset;
  assert.ok(stored.subarray(0, offset).equals(before.subarray(0, offset)), 'bytes before the section unchanged');
  assert.ok(stored.subarray(stored.length - tail).equals(before.subarray(offset)), 'bytes after the section unchanged');
  const added = stored.subarray(offset, stored.length - tail).toString('latin1');
  assert.match(added, /^## release\/.*\r\n/);
  assert.match(added, 'EPN-1: Gr\xf6\xdfe \xe4ndern');
  assert.not.match(added.replace(/\r\n/g, ''), /[\r\n]/, 'CRLF only');
}));
collect.run();
