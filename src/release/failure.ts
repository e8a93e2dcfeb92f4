import { ExitCode, UserError } from '../errors.js';

/**
 * A cut that stopped where the remote shows only part of the release, or where the remote
 * could not be read to tell: the local release commits and tag are kept (a re-run reads the
 * remote and finishes or removes them). `status` is what `--json` reports.
 */
/**
 * Stopped (a signal again, once the grace for it ran out) while a push was still running: it runs
 * on outside the cut (detached) and may land. `--json` says `push-in-flight`.
 */
export class PushInFlightError extends UserError {
  constructor(signal: string, remote: string, graceSeconds: number | null) {
    super(`${signal}: stopped while the push to ${remote} was still running${graceSeconds === null ? '' : ` after ${graceSeconds} s`}; it may still land on ${remote}`, {
      hint: `re-run the cut: it reads ${remote}, then finishes the release (or removes what is left here)`,
      exitCode: ExitCode.interrupted,
    });
  }
}

export class ReleaseStateError extends UserError {
  constructor(readonly status: 'partial' | 'unknown', message: string, hint: string) {
    super(message, { hint, exitCode: ExitCode.failed });
  }
}
