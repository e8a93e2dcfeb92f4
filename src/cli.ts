import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ExitCode, UserError } from './errors.js';
import { redact } from './redact.js';
import { visible } from './visible.js';

/** Parses argv with node's own parser; unknown options become a usage error with the help hint. */
export function parseCliArgs<T extends NonNullable<ParseArgsConfig['options']>>(name: string, argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UserError((error as Error).message.split('\n')[0]!, { hint: `see ${name} --help`, exitCode: ExitCode.usage });
  }
}

/** One line for the user (problem and fix), a stack only with --verbose or DEBUG. */
export function formatError(name: string, error: unknown, verbose: boolean, secrets: readonly string[] = []): string {
  if (error instanceof UserError) {
    const line = `${name}: ${error.message}${error.hint ? ` — ${error.hint}` : ''}`;
    return redact(verbose && error.stack ? `${visible(line)}\n${error.stack}` : visible(line), secrets);
  }
  const message = error instanceof Error ? error.message : String(error);
  const detail = verbose && error instanceof Error && error.stack ? `\n${error.stack}` : ' (re-run with --verbose for details)';
  return redact(`${name}: unexpected error: ${visible(message)}${detail}`, secrets);
}

export function exitCodeOf(error: unknown): number {
  return error instanceof UserError ? error.exitCode : ExitCode.failed;
}

/**
 * The checkout a command works on: `--repo` taken relative to where the user typed the command.
 * Under npm the process runs in the toolkit's folder and INIT_CWD holds that place.
 */
export function repoDirOf(repo: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  return path.resolve(env.INIT_CWD || cwd, repo ?? '.');
}

/** An error as --json prints it: the message and hint (secrets masked) and the exit code. */
export interface ErrorDocument {
  message: string;
  hint: string | null;
  exitCode: number;
}

export function errorJson(error: unknown): ErrorDocument {
  if (error instanceof UserError) return { message: redact(error.message), hint: error.hint === undefined ? null : redact(error.hint), exitCode: error.exitCode };
  const message = error instanceof Error ? error.message : String(error);
  return { message: redact(`unexpected error: ${message}`), hint: 're-run with --verbose for details', exitCode: ExitCode.failed };
}
