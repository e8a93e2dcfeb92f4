import { ExitCode, UserError } from '../errors.js';
import { PushInFlightError } from './failure.js';
import type { Steps } from './steps.js';

/** How long a second signal waits for a push under way and the remote's answer. */
export const PUSH_GRACE_SECONDS = 20;

export interface SignalHandling {
  steps: Steps;
  say: (line: string) => void;
  /** The command, as a re-run is named in the messages (`the cut`, `release:stage`). */
  command: string;
  /** Prints the error that stops the command at once, then exits 130. */
  stop: (error: UserError) => never;
  /** Also run on the first signal (a prompt to cancel). */
  onFirst?: () => void;
}

/**
 * Ctrl-C and CI's cancellation (SIGINT, then SIGTERM) for every command of the week: the first
 * signal lets the running step finish (a push is never cut in half) and stops after it; a second
 * one during a push waits, within a bounded grace it names, for the push and the remote's answer;
 * any further signal stops at once, saying whether a push may still land.
 */
export function handleSignals(handling: SignalHandling): void {
  const { steps, say, command } = handling;
  let signals = 0;
  const pushing = (): string | undefined => steps.running().find((step) => step.startsWith('push '))?.slice('push '.length);
  const stop = (signal: NodeJS.Signals, graceSeconds: number | null): never => {
    const remote = pushing();
    handling.stop(remote
      ? new PushInFlightError(signal, remote, graceSeconds, command)
      : new UserError(`${signal} again: stopped at once, in the middle of a step`, { hint: `check git status, then re-run ${command}: it reads the remotes and finishes what is missing`, exitCode: ExitCode.interrupted }));
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    const remote = pushing();
    if (signals === 2 && remote) {
      say(`${signal} again: the push to ${remote} is still running; waiting up to ${PUSH_GRACE_SECONDS} s for it and for ${remote}'s answer (a third signal stops at once)`);
      setTimeout(() => stop(signal, PUSH_GRACE_SECONDS), PUSH_GRACE_SECONDS * 1000).unref();
      return;
    }
    if (signals > 1) stop(signal, null);
    say(`${signal}: stopping after the current step (press again to quit at once)`);
    steps.interrupt(signal);
    handling.onFirst?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
