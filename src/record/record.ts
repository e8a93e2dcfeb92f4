/**
 * The release record: one text per release, kept in git as the note of its release commit. Its
 * first line is the report the cut wrote (JSON); every later line is one event (JSON), appended as
 * it happens and never rewritten: `git notes show` prints the history of the release.
 */

/** Who and when, on every event. */
interface Stamp {
  at: string;
  /** user@host (pid), so "claimed by" names a person and a machine. */
  by: string;
}

export type RecordEvent = Stamp & (
  | { event: 'cut'; tag: string; commit: string }
  /** A command is about to send on `channel`; `claim` ties it to the outcome. */
  | { event: 'claim'; channel: string; claim: string; takenOverFrom?: string }
  /** `not-done`: a time budget ran out first (`budget` names it); a later share finishes the channel. */
  | { event: 'shared'; channel: string; claim: string; status: 'sent' | 'partial' | 'failed' | 'not-done'; detail: string; ref?: string; budget?: { setting: string; ms: number } }
  /** A push of the release (or a later commit of it) to a deployment remote. */
  | { event: 'pushed'; target: string; remote: string; commit: string; command: string }
  | { event: 'verified'; target: string; url: string; commit: string; status: 'verified' | 'unverified'; elapsedMs: number; served?: string }
  /** release:stage: QA's fixes on main, back-merged into develop and added to the notes. */
  | { event: 'staged'; commit: string; fixes: { sha: string; subject: string; keys: string[] }[] }
  | { event: 'promoted'; target: string; commit: string; rollbackFrom?: string | null }
);

export type EventOf<K extends RecordEvent['event']> = Extract<RecordEvent, { event: K }>;

/** An event as a command writes it: the stamp is added when it is recorded. */
export type NewEvent = RecordEvent extends infer E ? (E extends RecordEvent ? Omit<E, 'at' | 'by'> : never) : never;

export interface ReleaseRecord<Report> {
  report: Report;
  events: RecordEvent[];
}

/** The record's text: the report line, then one line per event. */
export function recordText(report: unknown, events: readonly RecordEvent[] = []): string {
  return `${JSON.stringify(report)}\n${eventLines(events)}`;
}

/** A record's text with `events` appended; what was there stays byte for byte. */
export function appendEvents(text: string, events: readonly RecordEvent[]): string {
  return `${text}${text.endsWith('\n') ? '' : '\n'}${eventLines(events)}`;
}

function eventLines(events: readonly RecordEvent[]): string {
  return events.map((event) => `${JSON.stringify(event)}\n`).join('');
}

/**
 * Reads a record's text. A note written before events existed is the report alone (one line).
 * Lines that are not JSON objects (a hand edit) are passed over rather than failing every command.
 */
export function parseRecord<Report>(text: string): ReleaseRecord<Report> | null {
  const [first, ...rest] = text.split('\n');
  let report: Report;
  try {
    report = JSON.parse(first ?? '') as Report;
  } catch {
    return null;
  }
  const events: RecordEvent[] = [];
  for (const line of rest) {
    if (line.trim() === '') continue;
    try {
      const event = JSON.parse(line) as RecordEvent;
      if (event && typeof event === 'object' && typeof event.event === 'string') events.push(event);
    } catch {
      // Not an event: kept in the text, ignored here.
    }
  }
  return { report, events };
}

export function stamp(events: readonly NewEvent[], now: Date, by: string): RecordEvent[] {
  return events.map((event) => ({ ...event, at: now.toISOString(), by }) as RecordEvent);
}

export function eventsOf<K extends RecordEvent['event']>(events: readonly RecordEvent[], kind: K): EventOf<K>[] {
  return events.filter((event): event is EventOf<K> => event.event === kind);
}

/** The newest outcome recorded for each channel. */
export function latestOutcomes(events: readonly RecordEvent[]): Map<string, EventOf<'shared'>> {
  const latest = new Map<string, EventOf<'shared'>>();
  for (const event of eventsOf(events, 'shared')) latest.set(event.channel, event);
  return latest;
}

export interface HeldClaim {
  channel: string;
  by: string;
  at: string;
  ageMs: number;
}

export interface ClaimDecision {
  /** Channels this command claims and then sends on. */
  send: string[];
  /** Claimed by someone else, recently, with no outcome yet: not sent here. */
  held: HeldClaim[];
  /** Claims older than the timeout with no outcome: taken over (the sender may have died mid-send). */
  takenOver: HeldClaim[];
}

/**
 * Which of `wanted` a command may send on, given the record: a channel whose newest claim has no
 * outcome is held by that claim until it is `timeoutMs` old, then taken over.
 */
export function decideClaims(events: readonly RecordEvent[], wanted: readonly string[], now: Date, timeoutMs: number): ClaimDecision {
  const decision: ClaimDecision = { send: [], held: [], takenOver: [] };
  const answered = new Set(eventsOf(events, 'shared').map((event) => event.claim));
  for (const channel of wanted) {
    const claim = eventsOf(events, 'claim').filter((event) => event.channel === channel).at(-1);
    if (!claim || answered.has(claim.claim)) {
      decision.send.push(channel);
      continue;
    }
    const held = { channel, by: claim.by, at: claim.at, ageMs: now.getTime() - Date.parse(claim.at) };
    if (held.ageMs < timeoutMs) {
      decision.held.push(held);
    } else {
      decision.takenOver.push(held);
      decision.send.push(channel);
    }
  }
  return decision;
}

/** "3 min" or "40 s": how old a claim is, for people. */
export function describeAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}
