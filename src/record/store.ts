import os from 'node:os';
import { ExitCode, UserError } from '../errors.js';
import { GitError, gitFailureReason, type Git } from '../git.js';
import { appendEvents, parseRecord, recordText, stamp, type NewEvent, type RecordEvent, type ReleaseRecord } from './record.js';

/** Who appends, as events name them. */
export function whoAmI(): string {
  let user = 'someone';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (a container's arbitrary uid): the host still says where.
  }
  return `${user}@${os.hostname()} (pid ${process.pid})`;
}

/** For `git fetch`: the remote's record, if it has one (a glob that matches nothing is not an error). */
export function recordFetchRefspec(ref: string): string {
  return `+${ref}*:${ref}*`;
}

/** The record could not be appended for a reason other than a lost race; the remote was read afterwards. */
export class RecordWriteError extends UserError {
  constructor(message: string, hint: string) {
    super(message, { hint, exitCode: ExitCode.partial });
    this.name = 'RecordWriteError';
  }
}

export interface Appended<Report> {
  /** The record as it stands on the remote after the append (or as read, when nothing was appended). */
  record: ReleaseRecord<Report> | null;
  /** What was appended; empty when `decide` wanted nothing. */
  events: RecordEvent[];
}

const MAX_RACES = 12;

/**
 * The release records of one repository: each release commit's record is a note under `ref`,
 * mirrored from `remote`. Every append is a compare-and-swap on the remote's ref: the new notes
 * commit has the remote's current value as its parent and is pushed without force, so a push
 * that lost a race is refused; then the record is fetched, read and decided on again.
 */
export class RecordStore {
  constructor(readonly git: Git, readonly remote: string, readonly ref: string, private readonly now: () => Date = () => new Date(), readonly by: string = whoAmI()) {}

  /** The remote's records into the local mirror of the ref. */
  async fetch(): Promise<void> {
    await this.git.run(['fetch', '--no-progress', '--no-auto-maintenance', '--', this.remote, recordFetchRefspec(this.ref)], { detached: true });
  }

  /** The local notes commit, null when there is none. */
  async tip(): Promise<string | null> {
    return (await this.git.refs([this.ref])).get(this.ref) ?? null;
  }

  /** The record's text for `commit` as of notes commit `tip` (default: the local ref), null when it has none. */
  async readText(commit: string, tip?: string | null): Promise<string | null> {
    const at = tip === undefined ? await this.tip() : tip;
    if (!at) return null;
    // Notes trees written by `git notes` split long ones into fan-out folders (ab/cdef…); ours never do.
    for (const path of [commit, `${commit.slice(0, 2)}/${commit.slice(2)}`]) {
      const result = await this.git.run(['cat-file', 'blob', `${at}:${path}`], { okExitCodes: [0, 128] });
      if (result.exitCode === 0) return result.stdout;
    }
    return null;
  }

  async read<Report>(commit: string, tip?: string | null): Promise<ReleaseRecord<Report> | null> {
    const text = await this.readText(commit, tip);
    return text === null ? null : parseRecord<Report>(text);
  }

  /** A notes commit on top of `parent` whose note for `commit` is `text`. Written to the object database only. */
  async commitNote(parent: string | null, commit: string, text: string, subject: string): Promise<string> {
    const tree = parent
      ? await this.git.replaceTopLevelFile(`${parent}^{tree}`, commit, Buffer.from(text))
      : await this.git.output(['mktree', '-z'], { input: `100644 blob ${await this.git.output(['hash-object', '-w', '--stdin'], { input: text })}\t${commit}\0` });
    return this.git.commitTree(tree, parent ? [parent] : [], `${subject}\n`, false, await this.identity());
  }

  /**
   * Who the notes commits are by: the user's git identity when there is one; else (a CI job that
   * only notifies, with no user.email) the toolkit, since each event already names user@host.
   */
  private identity(): Promise<Record<string, string> | undefined> {
    this.knownIdentity ??= this.git.committerIdent().then((ident) => (ident ? undefined : {
      GIT_AUTHOR_NAME: 'release-toolkit', GIT_AUTHOR_EMAIL: 'release-toolkit@localhost',
      GIT_COMMITTER_NAME: 'release-toolkit', GIT_COMMITTER_EMAIL: 'release-toolkit@localhost',
    }));
    return this.knownIdentity;
  }

  private knownIdentity: Promise<Record<string, string> | undefined> | undefined;

  /** The first record of a release: its report and the events of the cut itself. */
  firstRecord(report: unknown, events: readonly NewEvent[]): string {
    return recordText(report, stamp(events, this.now(), this.by));
  }

  /**
   * The notes commit that appends `events` to `commit`'s record on top of the local ref's value,
   * without moving any ref (for a command that pushes it together with its branches, atomically).
   * A release with no record yet gets one starting with `report`.
   */
  async appendedCommit(commit: string, events: readonly NewEvent[], subject: string, report: unknown): Promise<{ parent: string | null; tip: string }> {
    const parent = await this.tip();
    const text = (await this.readText(commit, parent)) ?? recordText(report);
    return { parent, tip: await this.commitNote(parent, commit, appendEvents(text, stamp(events, this.now(), this.by)), subject) };
  }

  /**
   * Appends what `decide` returns, given the record as the remote has it now, to `commit`'s record.
   * `decide` runs again after every lost race; it returns [] to append nothing. A release that has
   * no record yet (cut before records were kept) gets one starting with `report`, when given.
   */
  async append<Report>(commit: string, decide: (record: ReleaseRecord<Report> | null) => NewEvent[], subject: string, report?: Report): Promise<Appended<Report>> {
    for (let race = 0; race < MAX_RACES; race += 1) {
      await this.fetch().catch((error: unknown) => {
        throw new RecordWriteError(`${this.remote} cannot be read for the release record (${reasonOf(error)})`, `check the ${this.remote} remote and your access, then re-run`);
      });
      const parent = await this.tip();
      const text = (await this.readText(commit, parent)) ?? (report === undefined ? null : recordText(report));
      const record = text === null ? null : parseRecord<Report>(text);
      const events = stamp(decide(record), this.now(), this.by);
      if (events.length === 0) return { record, events };
      if (text === null || record === null) {
        throw new RecordWriteError(`the release commit ${commit.slice(0, 12)} has no record on ${this.remote} (${this.ref})`, 'cut the release with this toolkit first, or check releaseCut.recordRef / RELEASE_RECORD_REF');
      }
      const tip = await this.commitNote(parent, commit, appendEvents(text, events), subject);
      if (await this.pushed(parent, tip)) return { record: { report: record.report, events: [...record.events, ...events] }, events };
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200 * (race + 1)));
    }
    throw new RecordWriteError(`the release record on ${this.remote} kept changing under ${MAX_RACES} attempts to append to it`, 're-run in a minute');
  }

  /** Pushes `tip` over `parent` without force. True: the remote has it; false: another append came first. */
  private async pushed(parent: string | null, tip: string): Promise<boolean> {
    let reason: string;
    try {
      await this.git.push(this.remote, [`${tip}:${this.ref}`], { atomic: false });
      await this.git.updateRefs([{ ref: this.ref, oldSha: parent, newSha: tip }], 'release record: append').catch(() => undefined);
      return true;
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      reason = gitFailureReason(error.result);
    }
    // The push failed as git tells it; what the remote shows decides.
    let now: string | null;
    try {
      now = await this.git.remoteRef(this.remote, this.ref);
    } catch (error) {
      throw new RecordWriteError(
        `the release record could not be appended on ${this.remote} (${reason}), and ${this.remote} cannot be read to tell whether it was (${reasonOf(error)})`,
        're-run the same command once the remote is reachable: it reads the record and finishes what is missing',
      );
    }
    if (now === tip) return true;
    if (now === parent) {
      throw new RecordWriteError(
        `${this.remote} refused the release record (${reason})`,
        this.ref.startsWith('refs/notes/')
          ? `if the host refuses ${this.ref}, keep the record on a ref it accepts: set releaseCut.recordRef (or RELEASE_RECORD_REF), e.g. refs/heads/release-record`
          : `check that ${this.remote} accepts pushes to ${this.ref}, then re-run`,
      );
    }
    return false;
  }
}

function reasonOf(error: unknown): string {
  return error instanceof GitError ? gitFailureReason(error.result) : error instanceof Error ? error.message : String(error);
}
