import { ExitCode, UserError } from '../errors.js';
import { errorJson, type ErrorDocument } from '../cli.js';
import { ConflictError } from '../release/failure.js';
import type { CutOutcome } from './cut.js';
import { PushInFlightError, ReleaseStateError } from '../release/failure.js';
import { failedChannels, shortfallOf, type ReleaseReport } from '../release/report.js';

export type CutStatus =
  | 'released'
  | 'dry-run'
  | 'nothing-to-release'
  | 'staging-retried'
  | 'staging-failed'
  | 'conflict'
  | 'aborted'
  | 'interrupted'
  /** Stopped while a push was still running; it may land: a re-run reads the remote and finishes. */
  | 'push-in-flight'
  /** A push failed and the remote took part of the release: the local release is kept. */
  | 'origin-partial'
  /** A push failed and the remote cannot be read to tell what it took: the local release is kept. */
  | 'origin-unknown'
  | 'failed';


/** What `release:cut --json` prints, whatever happened: `error` is there exactly when the exit code is not 0. */
export type CutDocument = { status: CutStatus; error?: ErrorDocument; conflicts?: string[] } & Partial<ReleaseReport> & Record<string, unknown>;

/** A failure that still knows what the release holds (a conflict, a staging push that failed). */
export interface WithReport {
  report: ReleaseReport;
}

function hasReport(error: unknown): error is WithReport {
  return typeof error === 'object' && error !== null && 'report' in error && typeof error.report === 'object' && error.report !== null;
}

/** The released tag's sharing channels that failed or were not done, each with the command that finishes it. */
export function sharingFailures(report: ReleaseReport): UserError[] {
  return failedChannels(report.notifications).map((result) => new UserError(
    `${report.tag} is released, but sharing on ${result.channel} ${shortfallOf(result)} (${result.detail})`,
    {
      hint: result.status === 'not-done'
        ? `finish it with: npm run release:notify -- ${report.tag} (it sends only what the release record shows undone)`
        : `fix it, then: npm run release:notify -- ${report.tag} --channel ${result.channel}`,
      exitCode: ExitCode.partial,
    },
  ));
}

export function outcomeExitCode(outcome: CutOutcome): number {
  if (outcome.status === 'aborted') return ExitCode.failed;
  if (outcome.status === 'nothing-to-release') return ExitCode.ok;
  if (sharingFailures(outcome.report).length > 0) return ExitCode.partial;
  return outcome.report.deploys?.some((check) => check.status === 'unverified') ? ExitCode.unverified : ExitCode.ok;
}

export function outcomeDocument(outcome: CutOutcome): CutDocument {
  if (outcome.status === 'nothing-to-release') return { ...outcome };
  const document: CutDocument = { status: outcome.status, ...outcome.report };
  if (outcome.status === 'aborted') {
    document.error = { message: 'aborted at the prompt', hint: 'nothing was changed', exitCode: ExitCode.failed };
  }
  const failures = sharingFailures(outcome.report);
  if (failures.length > 0) {
    document.error = { message: failures.map((failure) => failure.message).join('; '), hint: failures.map((failure) => failure.hint).join('; '), exitCode: ExitCode.partial };
  }
  return document;
}

function statusOf(error: unknown): CutStatus {
  if (error instanceof PushInFlightError) return 'push-in-flight';
  if (error instanceof ReleaseStateError) return `origin-${error.status}`;
  if (error instanceof UserError && error.exitCode === ExitCode.interrupted) return 'interrupted';
  if (error instanceof ConflictError) return 'conflict';
  if (error instanceof UserError && error.exitCode === ExitCode.partial) return 'staging-failed';
  return 'failed';
}

export function errorDocument(error: unknown): CutDocument {
  const document: CutDocument = { status: statusOf(error), ...(hasReport(error) ? error.report : {}), error: errorJson(error) };
  if (error instanceof ConflictError) document.conflicts = error.conflicts;
  return document;
}
