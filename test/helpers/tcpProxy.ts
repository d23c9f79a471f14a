/**
 * @module test/helpers/tcpProxy
 * A TCP proxy on loopback that a test can cut and restore: put it between a
 * component and the service it reads (e.g. a connector and its chain RPC) to
 * give that one component an outage while everyone else still reaches the
 * service. `cut()` closes the listening socket (new connections are refused,
 * as from a node that is down) and resets every open connection; `restore()`
 * listens again on the same port.
 *
 * @example
 * const proxy = await startTcpProxy({ host: '127.0.0.1', port: 26657 });
 * // point the component at proxy.url …
 * await proxy.cut();     // ECONNREFUSED / ECONNRESET from now on
 * await proxy.restore(); // back, same address
 * await proxy.close();
 */
import net from 'node:net';

export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: the proxy's address for HTTP (and websocket) clients. */
  readonly url: string;
  readonly port: number;
  /** Whether connections are let through right now. */
  readonly up: boolean;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let boundPort = port;

  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const open = async (): Promise<void> => {
    const s = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      track(client);
      track(upstream);
      // Either side failing or closing ends both: the client sees what it would see from the service itself.
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(boundPort, '127.0.0.1', () => resolve());
    });
    boundPort = (s.address() as net.AddressInfo).port;
    server = s;
  };
  const shut = async (): Promise<void> => {
    const s = server;
    server = undefined;
    // Reset rather than end: a cut cable, not a polite goodbye.
    for (const sock of sockets) sock.resetAndDestroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await open();
  return {
    get url() {
      return `http://127.0.0.1:${boundPort}`;
    },
    get port() {
      return boundPort;
    },
    get up() {
      return server !== undefined;
    },
    cut: shut,
    async restore() {
      if (!server) await open();
    },
    close: shut,
  };
}
