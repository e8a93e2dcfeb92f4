import { describeOutcome, verifyDeploy, type VerifyOutcome } from '../deploy/verify.js';
import type { NewEvent } from '../record/record.js';
import { RecordWriteError, type RecordStore } from '../record/store.js';

/** A deployment's check after a push: what `<url>/version` served, as the report and --json carry it. */
export type DeployCheck = VerifyOutcome & { target: string; line: string };

export interface PushedTo {
  target: 'staging' | 'production';
  remote: string;
  /** The commit pushed there. */
  commit: string;
  /** The command that pushed (release:cut, release:stage, release:promote). */
  command: string;
}

export interface Recording {
  store: RecordStore;
  /** The release commit whose record gets the events. */
  releaseCommit: string;
  /** The report, for a release that has no record yet. */
  report: unknown;
  say: (line: string) => void;
}

/** Appends events to the release record; a record that cannot be written is a warning (the remotes themselves say where things are). */
export async function appendEvents(recording: Recording, events: (already: readonly NewEvent[]) => NewEvent[], subject: string): Promise<void> {
  try {
    await recording.store.append(recording.releaseCommit, (record) => events(record?.events ?? []), subject, recording.report);
  } catch (error) {
    if (!(error instanceof RecordWriteError)) throw error;
    recording.say(`warning: ${subject} could not be added to the release record (${error.message})`);
  }
}

/**
 * After a push to a deployment: the push goes into the record, then, when the deployment's URL is
 * set, the command waits until `<url>/version` serves the pushed commit and records what it saw.
 */
export async function recordDeploy(recording: Recording, pushed: PushedTo, url: string | null, timeoutMs: number | undefined): Promise<DeployCheck | null> {
  await appendEvents(recording, (already) => (already.some((event) => event.event === 'pushed' && event.target === pushed.target && event.commit === pushed.commit) ? [] : [{ event: 'pushed', ...pushed }]),
    `the push of ${pushed.commit.slice(0, 7)} to ${pushed.remote}`);
  if (!url) return null;
  recording.say(`verify: waiting for ${pushed.target} to serve ${pushed.commit.slice(0, 7)}`);
  const outcome = await verifyDeploy({ url, commit: pushed.commit, ...(timeoutMs === undefined ? {} : { timeoutMs }), onProgress: recording.say });
  const check: DeployCheck = { ...outcome, target: pushed.target, line: `${pushed.target} ${describeOutcome(outcome)}` };
  recording.say(`verify: ${check.line}`);
  await appendEvents(recording, () => [{
    event: 'verified', target: pushed.target, url: outcome.url, commit: pushed.commit, status: outcome.status, elapsedMs: outcome.elapsedMs,
    ...(outcome.status === 'unverified' ? { served: outcome.served ?? outcome.lastAnswer } : {}),
  }], `the check of ${pushed.target}`);
  return check;
}
