import { pino, type DestinationStream, type Logger } from 'pino';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';

export interface LogSettings {
  /** null: JSON lines on stdout (containers, where the engine keeps the logs); else this file, rotated by size. */
  file: string | null;
  /** When the file reaches this size (rotating-file-stream's notation: 10M, 512K) it is renamed `<file>.1`. */
  maxSize: string;
  /** How many rotated files are kept: `<file>.1` (newest) to `<file>.<keep>`; older ones are deleted. */
  keep: number;
}

export interface AppLog {
  logger: Logger;
  /** Writes what is still pending and closes the file; call it before the process exits. */
  close(): Promise<void>;
}

// pino's own defaults otherwise: epoch milliseconds in `time` (the cheapest clock), numeric levels.
const loggerOptions = { base: null };

/** How long a line may wait to be written with the ones that follow it. */
const BATCH_MS = 20;

/**
 * rotating-file-stream writes every chunk it is handed with a write call of its own; under load
 * that is a file write per request. Lines are handed over in batches instead, at most BATCH_MS late.
 */
function batchedInto(file: RotatingFileStream): DestinationStream & { flush(): void } {
  let pending = '';
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending) return;
    const chunk = pending;
    pending = '';
    file.write(chunk);
  };
  return {
    write(line: string) {
      pending += line;
      timer ??= setTimeout(flush, BATCH_MS);
    },
    flush,
  };
}

/** The service's one logger: pino, writing asynchronously to stdout or to a size-rotated file. */
export function openLog(settings: LogSettings): AppLog {
  if (settings.file === null) {
    const stdout = pino.destination({ dest: 1, sync: false });
    return {
      logger: pino(loggerOptions, stdout),
      close: () => new Promise((resolve) => stdout.flush(() => resolve())),
    };
  }
  const file = createStream(settings.file, { size: settings.maxSize, rotate: settings.keep });
  // A file that cannot be written must not take the service down: say so where the process's own output goes.
  file.on('error', (error: Error) => process.stderr.write(`hello-app: cannot write ${settings.file}: ${error.message}\n`));
  const destination = batchedInto(file);
  return {
    logger: pino(loggerOptions, destination),
    close: () => new Promise((resolve) => {
      destination.flush();
      file.end(() => resolve());
    }),
  };
}
