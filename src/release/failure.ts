import { ExitCode, UserError } from '../errors.js';
import type { ReleaseReport } from './report.js';

/**
 * Stopped (a signal again, once the grace for it ran out) while a push was still running: it runs
 * on outside the cut (detached) and may land. `--json` says `push-in-flight`.
 */
export class PushInFlightError extends UserError {
  constructor(signal: string, remote: string, graceSeconds: number | null, command = 'the cut') {
    super(`${signal}: stopped while the push to ${remote} was still running${graceSeconds === null ? '' : ` after ${graceSeconds} s`}; it may still land on ${remote}`, {
      hint: `re-run ${command}: it reads ${remote}, then finishes what is missing (or removes what is left here)`,
      exitCode: ExitCode.interrupted,
    });
  }
}

/**
 * A cut that stopped where the remote shows only part of the release, or where the remote
 * could not be read to tell: the local release commits and tag are kept (a re-run reads the
 * remote and finishes or removes them). `status` is what `--json` reports.
 */
export class ReleaseStateError extends UserError {
  constructor(readonly status: 'partial' | 'unknown', message: string, hint: string) {
    super(message, { hint, exitCode: ExitCode.failed });
  }
}

/** The branches conflict; carries the files and the report the release would have had. */
export class ConflictError extends UserError {
  constructor(message: string, hint: string, readonly conflicts: string[], readonly report: ReleaseReport) {
    super(message, { hint, exitCode: ExitCode.failed });
  }
}
