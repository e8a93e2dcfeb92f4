import { ExitCode, UserError } from '../src/errors.js';
import { runWeekCommand, WEEK_OPTIONS_HELP } from '../src/week/command.js';
import { runPromote, type PromoteOutcome } from '../src/week/promote.js';

const HELP = `Usage: npm run release:promote -- [<tag>] [options]

Pushes the commit QA tested on staging to production (the main branch of the production remote),
never forced: refused when main has moved past what staging runs, or staging does not run the
release. Then the promotion goes into the release record, production is verified against
PRODUCTION_URL when set, the Jira version is released (and JIRA_PROMOTE_TRANSITION applied), and
"<tag> in production" is announced once per channel with the release's cards and QA's fixes.
An older <tag> is a rollback: said so in the plan, pushed as a commit with that release's files on
top of production's main. Re-running finishes what is missing.

Options:
${WEEK_OPTIONS_HELP}

Exit codes: 0 promoted or already in production, 1 refused or failed (nothing changed), 2 bad
usage or configuration, 3 pushed but a sharing channel failed, 4 pushed and recorded but
production did not serve it within the verify timeout, 130 interrupted.`;

function render(outcome: PromoteOutcome): string {
  const lines = [
    outcome.status === 'aborted' ? 'aborted: nothing was changed'
      : outcome.status === 'nothing-to-promote' ? `nothing to promote: production already runs ${outcome.tag} (${outcome.pushed.slice(0, 7)})`
        : `${outcome.status === 'dry-run' ? 'Dry run: would promote' : 'Promoted'} ${outcome.tag}${outcome.rollback ? ' (ROLLBACK)' : ''}: production ${outcome.pushed.slice(0, 7)}, tested ${outcome.tested.slice(0, 7)}`,
  ];
  for (const check of outcome.deploys) lines.push(`Deployed: ${check.line}`);
  for (const result of outcome.notifications.filter((entry) => entry.status !== 'off')) lines.push(`Shared: ${result.channel} ${result.status} (${result.detail})`);
  return `${lines.join('\n')}\n`;
}

process.exitCode = await runWeekCommand('release-promote', HELP, process.argv.slice(2), async (week) => {
  if (week.positionals.length > 1) throw new UserError('name at most one release tag', { hint: 'e.g. npm run release:promote -- release/2026-12-01', exitCode: ExitCode.usage });
  return runPromote({ ...week.base, tag: week.positionals[0] ?? null, confirm: week.confirm ? (plan) => week.confirm!(plan.rollback ? `Roll production back to ${plan.tag}?` : `Promote ${plan.tag} to production?`) : null, share: week.share });
}, render);
