import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'smtp-server-process.js');

export interface ReceivedMail {
  authUser: string | null;
  envelopeFrom: string | null;
  envelopeTo: string[];
  from: string | null;
  subject: string | null;
  text: string | null;
  html: string | null;
  contentType: { value?: string } | null;
}

/** The SMTP server process: its port, and the messages it has received so far. */
export class SmtpProcess {
  readonly messages: ReceivedMail[] = [];
  private constructor(private readonly child: ChildProcess, readonly port: number) {}

  static start(user: string, password: string): Promise<SmtpProcess> {
    const child = spawn(process.execPath, [SCRIPT, user, password], { stdio: ['ignore', 'pipe', 'inherit'] });
    return new Promise((resolve, reject) => {
      let buffered = '';
      let smtp: SmtpProcess | null = null;
      child.once('exit', (code) => { if (!smtp) reject(new Error(`smtp server exited with ${code}`)); });
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf('\n')) !== -1) {
          const line = JSON.parse(buffered.slice(0, newline)) as { event: string; port?: number } & ReceivedMail;
          buffered = buffered.slice(newline + 1);
          if (line.event === 'listening') resolve(smtp = new SmtpProcess(child, line.port!));
          else smtp?.messages.push(line);
        }
      });
    });
  }

  url(user: string, password: string): string {
    return `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}`;
  }

  /** Waits until `count` messages arrived (the server parses after the client is done). */
  async waitFor(count: number, timeoutMs = 5000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return this.messages;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
