import { ExitCode, UserError } from '../errors.js';

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
