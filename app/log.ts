import { writeSync } from 'node:fs';
import { finished } from 'node:stream/promises';
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
  /** The logger's destination, for the access lines (accessLine). */
  accessLog: DestinationStream;
  /** Writes what is still pending and closes the file; call it before the process exits. */
  close(): Promise<void>;
}

// pino's own defaults otherwise: epoch milliseconds in `time` (the cheapest clock), numeric levels.
const loggerOptions = { base: null };

/**
 * One access line, exactly as `logger.info({ method, path, status, ms, ip })` writes it, built by
 * hand: pino's generic serialiser (a walk over the object's keys, a check and an escape per value)
 * costs ~1 µs, a thirtieth of a request in bench/app.bench.ts.
 */
export function accessLine(method: string, path: string, status: number, ms: number, ip: string): string {
  return `{"level":30,"time":${Date.now()},"method":${JSON.stringify(method)},"path":${JSON.stringify(path)},"status":${status},"ms":${Math.round(ms * 10) / 10},"ip":${JSON.stringify(ip)}}\n`;
}

/** How long a line may wait to be written with the ones that follow it. */
const BATCH_MS = 20;

/** How many bytes of lines are gathered before they are written, whatever BATCH_MS says. */
const BATCH_BYTES = 64 * 1024;

const UNIT_BYTES: Record<string, number> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/**
 * The file is rotated once a write takes it past maxSize, so it overshoots by up to one batch:
 * batches stay under an eighth of maxSize (64 KB batches would make a 16K log 64 KB long).
 */
function batchBytesFor(maxSize: string): number {
  const bytes = Number(maxSize.slice(0, -1)) * (UNIT_BYTES[maxSize.slice(-1)] ?? 1);
  return Math.max(1, Math.min(BATCH_BYTES, Math.floor(bytes / 8)));
}

/** After a failed write (a full disk, a removed folder), how long the log waits before trying its file again. */
export const RETRY_MS = 1_000;

/** Where lines go once batched: `lines` is how many lines the chunk holds, so lost ones can be counted. */
interface LineSink {
  write(chunk: Buffer | string, lines: number): void;
  end(): Promise<void>;
}

/**
 * What the process says outside its logger, when the log itself fails. A synchronous write whose
 * error is swallowed: process.stderr is a file under start.sh, on the same disk as the log, and its
 * asynchronous ENOSPC would be an uncaught error that ends the process.
 */
function tellConsole(text: string): void {
  try {
    writeSync(2, `hello-app: ${text}\n`);
  } catch {
    // Nowhere left to say it; the dropped lines are counted and reported when the log resumes.
  }
}

/**
 * The log file, kept working through failures: a write that fails (ENOSPC, EIO, the folder gone)
 * drops that batch and every line until the file can be written again, counting them; every
 * RETRY_MS a fresh stream is opened and its first line says how many lines were lost. A file that
 * cannot be written must not take the service down, nor stay off until a restart.
 */
function resilientFile(settings: LogSettings & { file: string }): LineSink {
  let current: RotatingFileStream | null = null;
  let dropped = 0;
  let failing = false;
  let retry: NodeJS.Timeout | null = null;
  let ended = false;

  const open = (): RotatingFileStream => {
    const file = createStream(settings.file, { size: settings.maxSize, rotate: settings.keep });
    file.on('error', (error: Error) => {
      if (current !== file) return;
      current = null;
      file.destroy();
      if (!failing) tellConsole(`cannot write ${settings.file}: ${error.message}; log lines are dropped and counted until it can be written again (tried every ${RETRY_MS / 1000} s)`);
      failing = true;
      if (!ended) {
        retry = setTimeout(reopen, RETRY_MS);
        retry.unref();
      }
    });
    return file;
  };
  const reopen = (): void => {
    retry = null;
    current = open();
    const lost = dropped;
    // It starts on a line of its own: the failed write may have left half a line at the end of the file.
    const notice = `\n${JSON.stringify({ level: 40, time: Date.now(), dropped: lost, msg: 'log lines dropped: the log file could not be written' })}\n`;
    current.write(notice, (error) => {
      if (error) return;
      dropped -= lost;
      failing = false;
      tellConsole(`writing ${settings.file} again; ${lost} log lines were dropped meanwhile`);
    });
  };
  current = open();

  return {
    write(chunk, lines) {
      if (current === null) {
        dropped += lines;
        return;
      }
      current.write(chunk, (error) => {
        if (error) dropped += lines;
      });
    },
    async end() {
      ended = true;
      if (retry) clearTimeout(retry);
      const file = current;
      if (file) {
        file.end();
        await finished(file).catch(() => undefined);
      }
      if (dropped > 0) tellConsole(`${dropped} log lines could not be written to ${settings.file}`);
    },
  };
}

/**
 * rotating-file-stream writes every chunk it is handed with a write call of its own; under load
 * that is a file write per request. Lines are handed over in batches instead, at most BATCH_MS late.
 * Each line is copied into a buffer at once: strings kept until the batch is written would survive
 * the young-generation collections and make them dearer (about 1 µs a request in bench/app.bench.ts).
 */
function batchedInto(sink: LineSink, batchBytes: number): DestinationStream & { flush(): void } {
  let batch = Buffer.allocUnsafe(batchBytes);
  let used = 0;
  let lines = 0;
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (used === 0) return;
    sink.write(batch.subarray(0, used), lines);
    batch = Buffer.allocUnsafe(batchBytes);
    used = 0;
    lines = 0;
  };
  return {
    write(line: string) {
      // A UTF-16 code unit takes at most 3 bytes in UTF-8.
      if (used + line.length * 3 > batchBytes) flush();
      if (line.length * 3 > batchBytes) sink.write(line, 1);
      else {
        used += batch.write(line, used);
        lines += 1;
      }
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
      accessLog: stdout,
      close: () => new Promise((resolve) => stdout.flush(() => resolve())),
    };
  }
  const sink = resilientFile({ ...settings, file: settings.file });
  const destination = batchedInto(sink, batchBytesFor(settings.maxSize));
  return {
    logger: pino(loggerOptions, destination),
    accessLog: destination,
    close: () => {
      destination.flush();
      return sink.end();
    },
  };
}
