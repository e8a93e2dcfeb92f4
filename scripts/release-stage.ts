import { ExitCode, UserError } from '../src/errors.js';
import { runStage, type StageOutcome } from '../src/week/stage.js';
import { runWeekCommand, WEEK_OPTIONS_HELP } from '../src/week/command.js';

const HELP = `Usage: npm run release:stage -- [options]

During QA week, after fixes were merged into main: adds them to the release's CHANGELOG
section (a commit on main), merges main into develop (a merge commit, never a squash), pushes
both and the release record's "staged" event to origin atomically, pushes main to staging
(verified against STAGING_URL when set), and shares the delta ("release/… on staging again:
2 fixes, EPN-170, EPN-171") on every configured channel, with the release's fixVersion on the
fix cards. With nothing new on main it says so and changes nothing; re-running after any fault
finishes what is missing.

Options:
${WEEK_OPTIONS_HELP}

Exit codes: 0 staged or nothing to stage, 1 failed or conflict (nothing changed), 2 bad usage or
configuration, 3 pushed but staging or a sharing channel failed, 4 pushed and recorded but
staging did not serve main within the verify timeout, 130 interrupted.`;

function render(outcome: StageOutcome): string {
  const lines: string[] = [];
  if (outcome.status === 'nothing-to-stage') lines.push(`nothing to stage: main has nothing new since ${outcome.tag} was last announced`);
  else if (outcome.status === 'aborted') lines.push('aborted: nothing was changed');
  else lines.push(`${outcome.status === 'dry-run' ? 'Dry run: would stage' : 'Staged'} ${outcome.tag}: ${outcome.headline}`);
  for (const fix of outcome.fixes) lines.push(`  ${fix.sha.slice(0, 7)} ${fix.subject}`);
  if (outcome.status === 'staged') lines.push(`main ${outcome.main.slice(0, 7)}, develop ${outcome.develop.slice(0, 7)}, staging ${outcome.staging?.slice(0, 7) ?? '-'}`);
  for (const check of outcome.deploys) lines.push(`Deployed: ${check.line}`);
  for (const result of outcome.notifications.filter((entry) => entry.status !== 'off')) lines.push(`Shared: ${result.channel} ${result.status} (${result.detail})`);
  return `${lines.join('\n')}\n`;
}

process.exitCode = await runWeekCommand('release-stage', HELP, process.argv.slice(2), async (week) => {
  if (week.positionals.length > 0) throw new UserError('release:stage takes no arguments', { hint: 'see npm run release:stage -- --help', exitCode: ExitCode.usage });
  return runStage({ ...week.base, confirm: week.confirm ? (plan) => week.confirm!(`Stage ${plan.tag}?`) : null, share: week.share });
}, render);
