// tcp-server --proxy-type http: an HTTP proxy, as ncat's. Each client's request head is read; CONNECT opens a tunnel,
// GET/HEAD/POST are forwarded with "Connection: close" (one request per connection); either way the rest is
// relay(target, client), THE relay. Many clients at once (-k implied); -i closes an idle client or tunnel;
// --proxy-auth asks for credentials with a 407 (Digest and Basic challenges). Targets come from `dial` (plain TCP).
import { forwarding, type Endpoint, type EndpointEvents, type Failure, type Listener } from '../core/endpoint.js';
import { HeadError, headerValues, parseHead, proxyAuthenticator, type Credentials, type Head } from '../core/http.js';
import type { Outcome } from '../core/outcome.js';
import { relay, type Relay } from '../core/relay.js';
import type { Session } from '../core/session.js';
import { watchIdle } from '../core/timers.js';

/** Open a connection to a target. */
export type Dial = (host: string, port: number) => Promise<Endpoint>;

export interface HttpProxySettings {
  idleTimeout?: number | undefined;
  proxyAuth?: Credentials | undefined;
}

// After an error reply, how long a client may take to close before we do.
const REPLY_LINGER_MS = 5000;
const FORWARDED = new Set(['GET', 'HEAD', 'POST']);
const HOP_BY_HOP = /^(proxy-authorization|proxy-connection|connection|keep-alive)$/i;

export function httpProxy(session: Session, listener: Listener, s: HttpProxySettings, dial: Dial): Promise<Outcome> {
  const log = session.log;
  const auth = s.proxyAuth ? proxyAuthenticator(s.proxyAuth) : undefined;
  const reading = new Set<Endpoint>();
  // Clients answered with an error: what they still send is dropped (a refused upload is not kept in memory).
  const refused = new WeakSet<Endpoint>();
  const relays = new Set<Relay>();
  let stopping: Outcome | undefined;
  let resolve!: (outcome: Outcome) => void;
  const done = new Promise<Outcome>((r) => { resolve = r; });
  const settle = (): void => {
    if (stopping && reading.size === 0 && relays.size === 0) resolve(stopping);
  };

  const tunnel = (target: Endpoint, client: Endpoint): void => {
    const r = relay(log, target, client, { shutdown: true, idleTimeout: s.idleTimeout });
    relays.add(r);
    if (stopping) r.stop(stopping, false);
    void r.done.then((outcome) => {
      relays.delete(r);
      // A failing tunnel is a WARN, never the proxy's failure.
      if (outcome.error) log.log('WARN', outcome.error);
      settle();
    });
  };

  /** Answer with an error status and end; the client's own close (or a deadline) finishes it. */
  const refuse = (client: Endpoint, status: string, headers: readonly string[] = [], why?: string): void => {
    const body = `${status}${why ? `: ${why}` : ''}\n`;
    client.write(Buffer.from(`HTTP/1.1 ${status}\r\n${headers.map((h) => `${h}\r\n`).join('')}Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`));
    refused.add(client);
    client.end();
    client.resume();
    setTimeout(() => client.close('local', true), REPLY_LINGER_MS).unref();
  };

  const open = async (client: Endpoint, host: string, port: number): Promise<Endpoint | undefined> => {
    try {
      return await dial(host, port);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      log.log('WARN', `proxy: ${why}`);
      refuse(client, '502 Bad Gateway', [], why);
      return undefined;
    }
  };

  // `rest()`: the bytes after the head (a client may send them before our answer).
  const handle = async (head: Head, rest: () => Buffer, client: Endpoint, release: () => Endpoint): Promise<void> => {
    const [method, target, version] = head.parts;
    log.log('DEBUG', `proxy request from ${client.label}: ${method} ${target}`);
    if (auth && !auth.accepts(headerValues(head, 'proxy-authorization')[0], method, target)) {
      return refuse(client, '407 Proxy Authentication Required', auth.challenges().map((c) => `Proxy-Authenticate: ${c}`));
    }
    if (method === 'CONNECT') {
      const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(target);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) return refuse(client, '400 Bad Request', [], `CONNECT needs host:port, not ${target}`);
      const upstream = await open(client, m[1] ?? '', Number(m[2]));
      if (!upstream) return;
      client.write(Buffer.from(`${version || 'HTTP/1.1'} 200 Connection established\r\n\r\n`));
      if (rest().length) upstream.write(rest());
      return tunnel(upstream, release());
    }
    if (!FORWARDED.has(method)) return refuse(client, '405 Method Not Allowed', ['Allow: CONNECT, GET, HEAD, POST']);
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return refuse(client, '400 Bad Request', [], `a proxy request names an absolute http:// URL, not ${target}`);
    }
    if (url.protocol !== 'http:') return refuse(client, '400 Bad Request', [], `only http:// URLs are forwarded (use CONNECT for ${url.protocol})`);
    const upstream = await open(client, url.hostname.replace(/^\[(.*)\]$/, '$1'), Number(url.port || 80));
    if (!upstream) return;
    upstream.write(Buffer.concat([forwardedHead(head, url), rest()]));
    tunnel(upstream, release());
  };

  const serve = (client: Endpoint): void => {
    reading.add(client);
    let got = Buffer.alloc(0);
    let over = false;
    const finish = (): void => {
      if (over) return;
      over = true;
      cancelIdle();
      reading.delete(client);
      settle();
    };
    const cancelIdle = watchIdle(() => client.idleTime, s.idleTimeout, () => client.close('timeout', false));
    const release = takeOver(client, {
      data(chunk) {
        if (refused.has(client)) return;
        got = Buffer.concat([got, chunk]);
        if (over) return;
        let head: Head | undefined;
        try {
          head = parseHead(got);
        } catch (err) {
          finish();
          return refuse(client, err instanceof HeadError && /too long/.test(err.message) ? '431 Request Header Fields Too Large' : '400 Bad Request', [], (err as Error).message);
        }
        if (!head) return;
        client.pause();
        finish();
        const size = head.size;
        void handle(head, () => got.subarray(size), client, release);
      },
      end() {
        if (!over) client.close('local', false);
      },
      drain() { /* replies are small */ },
      closed(failure?: Failure) {
        if (failure && !over) log.log('WARN', failure.message);
        finish();
      },
    });
    client.resume();
  };

  listener.take((client) => (stopping ? client.close('local', false) : serve(client)));
  session.onSignal((outcome) => {
    stopping = outcome;
    listener.close();
    for (const client of reading) client.close('local', false);
    for (const r of relays) r.stop(outcome, true);
    settle();
  });
  return done;
}

/** The request for the origin server: origin-form target, no proxy or hop-by-hop headers, "Connection: close". */
function forwardedHead(head: Head, url: URL): Buffer {
  const [method, , version] = head.parts;
  const kept = head.headers.filter(([k]) => !HOP_BY_HOP.test(k));
  const host = kept.some(([k]) => k.toLowerCase() === 'host') ? [] : [`Host: ${url.host}`];
  const lines = [`${method} ${url.pathname}${url.search} ${version || 'HTTP/1.1'}`, ...host, ...kept.map(([k, v]) => `${k}: ${v}`), 'Connection: close'];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/**
 * Read an endpoint ourselves first, then hand it on: `first` gets its events until `release()` returns an endpoint
 * that whoever attaches to it (the relay) gets them from then on. The endpoint must be paused in between.
 */
function takeOver(peer: Endpoint, first: EndpointEvents): () => Endpoint {
  let sink = first;
  let over: { failure: Failure | undefined } | undefined;
  peer.attach({
    data: (chunk) => sink.data(chunk),
    end: () => sink.end(),
    drain: () => sink.drain(),
    closed(failure) {
      over = { failure };
      sink.closed(failure);
    },
  });
  return () => forwarding(peer, {
    attach(events) {
      sink = events;
      // It closed while we were connecting its target: the new owner learns it at once.
      if (over) queueMicrotask(() => events.closed(over?.failure));
    },
  });
}
