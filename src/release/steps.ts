import { ExitCode, UserError } from '../errors.js';

export type Printer = (line: string) => void;

/**
 * Runs the cut's phases in order, printing each with its outcome and duration, and keeps
 * the undo actions of the phases that changed something so a later failure (or Ctrl-C)
 * can put the repository back exactly as it was.
 */
export class Steps {
  private readonly undos: Array<{ name: string; undo: () => Promise<void> }> = [];
  private interruptedBy: string | null = null;
  private pastPointOfNoReturn = false;
  private readonly current = new Set<string>();

  /** `command` names the command in messages (`the cut`, `release:stage`). */
  constructor(private readonly print: Printer, private readonly command = 'the cut') {}

  /**
   * After a signal, the running step finishes (a push is never cut in half); the next step
   * throws, which rolls back — unless the release already reached origin, which is finished instead.
   */
  interrupt(signal: string): void {
    this.interruptedBy = signal;
  }

  async run<T>(name: string, action: () => Promise<T>): Promise<T> {
    this.throwIfInterrupted();
    const started = performance.now();
    this.current.add(name);
    try {
      const result = await action();
      this.print(`✔ ${name} (${Math.round(performance.now() - started)} ms)`);
      return result;
    } catch (error) {
      this.print(`✖ ${name} (${Math.round(performance.now() - started)} ms)`);
      throw error;
    } finally {
      this.current.delete(name);
    }
  }

  /** The steps under way now (the preflight's run side by side). */
  running(): string[] {
    return [...this.current];
  }

  onRollback(name: string, undo: () => Promise<void>): void {
    this.undos.push({ name, undo });
  }

  /** Undo in reverse order; an undo that fails is reported and the rest still run. */
  async rollback(): Promise<boolean> {
    let complete = true;
    for (const { name, undo } of this.undos.splice(0).reverse()) {
      try {
        await undo();
        this.print(`↺ undone: ${name}`);
      } catch (error) {
        complete = false;
        this.print(`✖ could not undo ${name}: ${(error as Error).message}`);
      }
    }
    return complete;
  }

  /** Changes made so far are final: a failure or a signal from here on is not rolled back. */
  commit(): void {
    this.undos.length = 0;
    this.pastPointOfNoReturn = true;
  }

  private throwIfInterrupted(): void {
    if (this.interruptedBy && !this.pastPointOfNoReturn) {
      throw new UserError(`interrupted by ${this.interruptedBy}`, { hint: `re-run ${this.command} when ready`, exitCode: ExitCode.interrupted });
    }
  }
}
