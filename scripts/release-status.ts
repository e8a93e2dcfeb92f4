import { errorJson, exitCodeOf, formatError, parseCliArgs, repoDirOf } from '../src/cli.js';
import { ExitCode, UserError } from '../src/errors.js';
import { renderCard, renderCurrent, renderRelease } from '../src/status/render.js';
import { answerStatus, CardNotFoundError } from '../src/status/status.js';

const HELP = `Usage: npm run release:status -- [EPN-123 | <release tag>] [options]

Where releases and cards stand, read from the remotes (origin's develop and main, staging's
and production's main) and the release records, from any clone.

  (nothing)         the current release: its record (cut, pushes, verifications, each channel
                    shared), whether staging and production run main, next week's cards on
                    develop, and the release's cards in Jira, those not done first
  EPN-123           every commit naming the card: its release, and which of develop, main,
                    staging and production have it; the card's Jira status and fixVersions
  release/<date>    that release's record

Options:
  --json            one JSON document on stdout (errors too)
  --offline         answer from what this clone has, without fetching
  --repo <dir>      the checkout to ask (default: where the command was started)
  --verbose         print every git command and error stacks
  --help, -h        show this help

Exit codes: 0 answered, 1 no commit names the card, 2 bad usage or configuration.`;

const NAME = 'release-status';
const write = (text: string): void => void process.stdout.write(text);

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  let verbose = Boolean(process.env.DEBUG);
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  try {
    const { values, positionals } = parseCliArgs(NAME, argv, {
      json: { type: 'boolean', default: false },
      offline: { type: 'boolean', default: false },
      repo: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    }, true);
    if (values.help) {
      write(`${HELP}\n`);
      return ExitCode.ok;
    }
    verbose ||= values.verbose;
    if (positionals.length > 1) throw new UserError('ask about one card or one release at a time', { hint: 'e.g. npm run release:status -- EPN-123', exitCode: ExitCode.usage });
    const answer = await answerStatus(positionals[0], { repoDir: repoDirOf(values.repo, process.env, process.cwd()), env: process.env, offline: values.offline, say, verbose });
    if (json) write(`${JSON.stringify(answer.document)}\n`);
    else write(answer.kind === 'card' ? renderCard(answer.document) : answer.kind === 'release' ? renderRelease(answer.document) : renderCurrent(answer.document));
    return ExitCode.ok;
  } catch (error) {
    if (json) {
      const found = error instanceof CardNotFoundError ? error.document : {};
      write(`${JSON.stringify({ ...found, error: errorJson(error) })}\n`);
    } else if (error instanceof CardNotFoundError) {
      write(renderCard(error.document));
    }
    say(formatError(NAME, error, verbose));
    return exitCodeOf(error);
  }
}

process.exitCode = await main(process.argv.slice(2));
