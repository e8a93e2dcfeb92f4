import type { RefUpdate } from '../git.js';

/** Where a push stands on the remote, judged ref by ref from what the remote shows. */
export type RemoteState =
  | { kind: 'applied' }
  | { kind: 'untouched' }
  | { kind: 'partial'; applied: string[]; missing: string[]; movedByOthers: string[] };

/**
 * `pushed` holds, per ref, the remote's value before the push (`oldSha`, null: absent) and
 * the value pushed (`newSha`); `observed` is what `git ls-remote` shows now.
 */
export function judgeRemote(pushed: readonly RefUpdate[], observed: ReadonlyMap<string, string>): RemoteState {
  const applied: string[] = [];
  const missing: string[] = [];
  const movedByOthers: string[] = [];
  for (const { ref, oldSha, newSha } of pushed) {
    const now = observed.get(ref) ?? null;
    if (now === newSha) applied.push(ref);
    else if (now === oldSha || now === null) missing.push(ref);
    else movedByOthers.push(ref);
  }
  if (applied.length === pushed.length) return { kind: 'applied' };
  if (applied.length === 0) return { kind: 'untouched' };
  return { kind: 'partial', applied, missing, movedByOthers };
}

const shortRef = (ref: string): string => ref.replace(/^refs\/(heads|tags)\//, '');

/** One line per ref: what the remote has, and the command (run in this clone) that finishes it. */
export function describePartial(remote: string, state: Extract<RemoteState, { kind: 'partial' }>): string {
  return [
    ...state.applied.map((ref) => `${remote} has ${shortRef(ref)}`),
    ...state.missing.map((ref) => `${remote} lacks ${shortRef(ref)}: git push ${remote} ${ref}:${ref}`),
    ...state.movedByOthers.map((ref) => `${remote}'s ${shortRef(ref)} was moved by someone else meanwhile: fetch and compare before pushing it`),
  ].join('; ');
}
