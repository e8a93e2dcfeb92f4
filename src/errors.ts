/** Exit codes shared by every entry point; documented in the README. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** The release reached origin but a later step (staging push, a notifier) failed. */
  partial: 3,
  /** Everything was pushed and recorded, but a server did not serve the pushed commit in time. */
  unverified: 4,
  interrupted: 130,
} as const;

/**
 * The one error type the CLIs print: `message` names the problem, `hint` the fix.
 * Anything else that escapes is a bug and is printed with its stack.
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failed;
  }
}
