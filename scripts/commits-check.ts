/**
 * `npm run commits:check -- <from>..<to>`: every commit of the range checked with the
 * commit-msg hook's rules and exemptions (CI runs it over a pull request's commits, which
 * catches --no-verify, cherry-pick, git am and GUI commits alike). Prints each offender
 * (short sha, subject, why) and exits 1 if there is any.
 */
import { exitCodeOf, formatError, parseCliArgs } from '../src/cli.js';
import { findOffenders } from '../src/commit-check.js';
import { revertedShaOf } from '../src/commit-message.js';
import { loadEnv, loadPackageJsonBlock, resolveCommitConfig } from '../src/config.js';
import { ExitCode, UserError } from '../src/errors.js';
import { Git, type Commit } from '../src/git.js';
import { shortSha } from '../src/release/cards.js';

const USAGE = 'usage: npm run commits:check -- <from>..<to>   (e.g. origin/main..HEAD; A.. and A...B as git log takes them)';

try {
  const { positionals, values } = parseCliArgs('commits:check', process.argv.slice(2), { help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  // As git log takes it: A..B, A.. (to HEAD), A...B (either side, not both).
  const range = /^(.*?)\.\.\.?(.*)$/.exec(positionals[0] ?? '');
  if (positionals.length !== 1 || !range || range[2]!.includes('..') || (!range[1] && !range[2])) {
    throw new UserError('one commit range <from>..<to> is needed', { hint: USAGE, exitCode: ExitCode.usage });
  }
  const [env, block] = await Promise.all([loadEnv(process.cwd()), loadPackageJsonBlock(process.cwd())]);
  const config = resolveCommitConfig(env, block);
  const { git } = await Git.open(process.cwd());
  for (const side of [range[1]!, range[2]!].filter(Boolean)) {
    if ((await git.commitOf(side)) === null) throw new UserError(`"${side}" names no commit here`, { hint: `${USAGE}; fetch it first if it is a remote's (git fetch origin)`, exitCode: ExitCode.usage });
  }
  const commits: Commit[] = [];
  for await (const batch of git.commitsIn(positionals[0]!)) commits.push(...batch);
  // The commits reverts name, for the check that they exist and were accepted themselves.
  const reverted = new Map<string, Commit | null>();
  for (const named of new Set(commits.map((commit) => revertedShaOf(commit.message)).filter((sha): sha is string => sha !== null))) {
    const sha = await git.commitOf(named);
    reverted.set(named, sha === null ? null : await git.commit(sha));
  }
  const head = range[2] ? await git.commitOf(range[2]) : await git.commitOf('HEAD');
  const offenders = findOffenders(commits, head ?? '', { projectKeys: config.jiraProjectKeys, tagPrefix: config.tagPrefix }, reverted);
  for (const offender of offenders) console.log(`${shortSha(offender.sha)} ${offender.subject} — ${offender.why}`);
  console.log(`commits:check: ${commits.length} commits in ${positionals[0]}, ${offenders.length === 0 ? 'all with a Jira key or exempt' : `${offenders.length} without a Jira key`}`);
  if (offenders.length > 0) process.exitCode = ExitCode.failed;
} catch (error) {
  console.error(formatError('commits:check', error, Boolean(process.env.DEBUG)));
  process.exitCode = exitCodeOf(error);
}
