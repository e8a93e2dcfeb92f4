import { createServer, request as httpRequest, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';

/**
 * A forward proxy on 127.0.0.1, as corporate proxies (squid) behave: CONNECT host:port opens a
 * tunnel (https, and undici's tunnelled http), and an absolute-form request (`GET http://host/…`)
 * is forwarded. Each request is counted by its target.
 */
export class CountingProxy {
  /** `host:port` of every CONNECT, `METHOD url` of every forwarded request. */
  readonly seen: string[] = [];
  private readonly sockets = new Set<net.Socket>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<CountingProxy> {
    const server = createServer();
    const proxy = new CountingProxy(server);
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    server.on('connect', (req, client: net.Socket, head: Buffer) => {
      proxy.seen.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      proxy.sockets.add(upstream);
      upstream.on('close', () => proxy.sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    server.on('request', (req, res) => {
      proxy.seen.push(`${req.method} ${req.url}`);
      if (!/^https?:\/\//.test(req.url ?? '')) {
        res.writeHead(400).end('not a proxy request');
        return;
      }
      const forwarded = httpRequest(req.url!, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', () => res.writeHead(502).end());
      req.pipe(forwarded);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
