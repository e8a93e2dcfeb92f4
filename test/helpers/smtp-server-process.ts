/**
 * A real SMTP server in its own process (smtp-server), for the email channel's tests:
 *   node smtp-server-process.js <user> <password>
 * prints one JSON line `{"event":"listening","port":N}`, then one per received message (parsed by mailparser).
 * AUTH must use the given user and password. The password itself is never printed.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const [user, password] = process.argv.slice(2);
const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

const server = new SMTPServer({
  disabledCommands: ['STARTTLS'],
  allowInsecureAuth: true,
  authMethods: ['PLAIN', 'LOGIN'],
  onAuth(auth, _session, callback) {
    if (auth.username === user && auth.password === password) callback(null, { user: auth.username });
    else callback(new Error('Invalid username or password'));
  },
  onData(stream, session, callback) {
    simpleParser(stream).then((mail) => {
      print({
        event: 'message',
        authUser: session.user ?? null,
        envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
        from: mail.from?.text ?? null,
        subject: mail.subject ?? null,
        text: mail.text ?? null,
        html: typeof mail.html === 'string' ? mail.html : null,
        contentType: mail.headers.get('content-type'),
      });
      callback();
    }, (error: Error) => callback(error));
  },
});
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  print({ event: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
