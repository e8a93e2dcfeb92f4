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

/** How many bytes of lines are gathered before they are written, whatever BATCH_MS says. */
const BATCH_BYTES = 64 * 1024;

/**
 * rotating-file-stream writes every chunk it is handed with a write call of its own; under load
 * that is a file write per request. Lines are handed over in batches instead, at most BATCH_MS late.
 * Each line is copied into a buffer at once: strings kept until the batch is written would survive
 * the young-generation collections and make them dearer (about 1 µs a request in bench/app.bench.ts).
 */
function batchedInto(file: RotatingFileStream): DestinationStream & { flush(): void } {
  let batch = Buffer.allocUnsafe(BATCH_BYTES);
  let used = 0;
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (used === 0) return;
    file.write(batch.subarray(0, used));
    batch = Buffer.allocUnsafe(BATCH_BYTES);
    used = 0;
  };
  return {
    write(line: string) {
      // A UTF-16 code unit takes at most 3 bytes in UTF-8.
      if (used + line.length * 3 > BATCH_BYTES) flush();
      if (line.length * 3 > BATCH_BYTES) file.write(line);
      else used += batch.write(line, used);
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
