/** Nothing ships unannounced: the next cut lists QA's fixes on main that no stage announced, and only those. */
import * as assert from 'uvu/assert';
import { commit, git } from '../../src/sandbox.js';
import { onBranch, runCutCli } from '../helpers/cut.js';
import { concurrentSuite } from '../helpers/suite.js';
import { fixOnMain, runWeekCli, STAGE_SCRIPT, withWeek, type Week } from './helpers.js';

const { test, run } = concurrentSuite('release cut: fixes on main since the last release', 2);

async function nextCut(week: Week): Promise<{ document: { fixedOnMain?: { since: string; cards: { key: string }[] } }; changelog: string; text: string }> {
  await onBranch(week.sandbox, 'develop', () => commit(week.sandbox.work, 'EPN-1: login v2', { 'login.txt': 'login v2\n' }));
  await git(week.sandbox.work)`git checkout --quiet main`;
  const dry = await runCutCli(week.sandbox, ['--dry-run'], week.env);
  const result = await runCutCli(week.sandbox, ['--json'], week.env);
  assert.is(result.exitCode, 0, result.stderr);
  return { document: JSON.parse(result.stdout), changelog: (await git(week.sandbox.origin)`git show main:CHANGELOG.md`).stdout, text: dry.stdout };
}

test('a fix committed on main and never staged is in the next cut\'s report, CHANGELOG section and JSON, with its card', () => withWeek(async (week) => {
  const fix = await fixOnMain(week, 'EPN-9: fix the login button', { 'button.txt': 'fixed\n' });
  const { document, changelog, text } = await nextCut(week);
  assert.equal(document.fixedOnMain?.since, week.tag);
  assert.equal(document.fixedOnMain?.cards.map((card) => card.key), ['EPN-9']);
  const section = changelog.slice(0, changelog.indexOf(`## ${week.tag} (`));
  assert.match(section, `### Fixed on main since ${week.tag}\n\n<!-- release-stage:`);
  assert.match(section, `  - EPN-9: fix the login button (\`${fix.slice(0, 7)}\`)`);
  assert.match(text, `Fixed on main since ${week.tag} (never announced before):\n  EPN-9`);
}));

test('a fix that release:stage announced is not listed again', () => withWeek(async (week) => {
  await fixOnMain(week, 'EPN-9: fix the login button', { 'button.txt': 'fixed\n' });
  assert.is((await runWeekCli(STAGE_SCRIPT, week)).exitCode, 0);
  const { document, changelog } = await nextCut(week);
  assert.is(document.fixedOnMain, undefined);
  assert.is(changelog.split('### Fixed on main since').length, 2, 'only the stage\'s block, in the older section');
}));

run();
