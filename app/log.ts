import type { Writable } from 'node:stream';

export type LineWriter = (line: string) => void;

/**
 * Lines are gathered and written once per event-loop turn: a write per request is a
 * syscall per request (stdout to a file is synchronous), which cost a third of the throughput.
 * Whatever is pending is flushed before the process exits.
 */
export function bufferedLineWriter(stream: Writable & { fd?: number }): LineWriter {
  let pending = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending) {
      const chunk = pending;
      pending = '';
      stream.write(chunk);
    }
  };
  process.on('exit', flush);
  return (line) => {
    pending += `${line}\n`;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}
