// TLS cases of npm run bench: bulk and echo through mona-nc --ssl, bare Node tls, ncat --ssl and socat OPENSSL, in
// the same interleaved runs, with one certificate (EC P-256, made by mona-nc's own code) that every client verifies.
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSeconds, freePort, median, sh, stop, waitBound, watchPeak, within } from './lib.mjs';

const TLS_CONCURRENCY = [1, 50];

/** cert.pem / key.pem in `dir`, for 127.0.0.1 and localhost. */
async function certificate(dir) {
  const { makeCertificate } = await import('../dist/src/transports/self-signed.js');
  const now = Date.now();
  const c = makeCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'], notBefore: new Date(now - 3600_000), notAfter: new Date(now + 86400_000) });
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, c.cert, { mode: 0o600 });
  writeFileSync(key, c.key, { mode: 0o600 });
  return { cert, key };
}

export function tlsCases(ctx) {
  const { print, fmt, ratio, mb, RUNS, BULK_BYTES, ECHO_S, peers, MONA, dir, results } = ctx;

  async function tlsBulk() {
    const { cert: C, key: K } = await certificate(dir);
    const F = join(dir, 'zero.bin');
    const fd = openSync(F, 'w');
    ftruncateSync(fd, BULK_BYTES);
    closeSync(fd);
    const tools = [
      { name: 'mona-nc --ssl', server: (p) => `${MONA} tcp-server 127.0.0.1:${p} --ssl-cert ${C} --ssl-key ${K} < /dev/null > /dev/null`, client: (p) => `${MONA} tcp-client 127.0.0.1:${p} --ssl-trustfile ${C} < ${F}` },
      { name: 'bare Node tls pipe', server: (p) => `node bench/bare/tls-recv.mjs ${p} ${C} ${K} > /dev/null`, client: (p) => `node bench/bare/tls-send.mjs ${p} ${C} < ${F}` },
      peers.ncat && { name: 'ncat --ssl', server: (p) => `ncat -l 127.0.0.1 ${p} --ssl --ssl-cert ${C} --ssl-key ${K} --recv-only > /dev/null`, client: (p) => `ncat --ssl --ssl-verify --ssl-trustfile ${C} --ssl-servername localhost --send-only 127.0.0.1 ${p} < ${F}` },
      peers.socat && { name: 'socat OPENSSL', server: (p) => `socat -u OPENSSL-LISTEN:${p},bind=127.0.0.1,reuseaddr,cert=${C},key=${K},verify=0 STDOUT > /dev/null`, client: (p) => `socat -u STDIN OPENSSL:127.0.0.1:${p},cafile=${C} < ${F}` },
    ].filter(Boolean);
    const data = new Map(tools.map((t) => [t.name, { rate: [], serverCpu: [], clientCpu: [], serverRss: [], clientRss: [] }]));
    for (let run = 0; run < RUNS; run++) {
      for (const tool of tools) {
        const port = await freePort();
        const server = sh(tool.server(port));
        await waitBound(port);
        const serverPeak = watchPeak(server.pid);
        const started = process.hrtime.bigint();
        const client = sh(tool.client(port));
        const clientPeak = watchPeak(client.pid);
        const [c, s] = await within(Promise.all([client.exited, server.exited]), 180_000, `${tool.name} TLS bulk`)
          .catch(async (err) => { await stop(client, 'SIGKILL'); await stop(server, 'SIGKILL'); throw err; });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (c.code !== 0 || s.code !== 0) throw new Error(`${tool.name} TLS bulk: exit ${c.code}/${s.code}: ${client.stderr()} ${server.stderr()}`);
        const d = data.get(tool.name);
        d.rate.push(BULK_BYTES / seconds / 1e6);
        const sp = serverPeak();
        const cp = clientPeak();
        d.serverRss.push(sp.peak);
        d.clientRss.push(cp.peak);
        d.serverCpu.push(sp.cpu / (BULK_BYTES / 2 ** 30));
        d.clientCpu.push(cp.cpu / (BULK_BYTES / 2 ** 30));
      }
    }
    print(`## Bulk TLS: ${BULK_BYTES / 2 ** 30} GiB of zeros, client -> server -> /dev/null, the client verifying the certificate`);
    print();
    print('| tool | MB/s (median) | runs | x mona-nc | peak RSS server / client (MB) | CPU s/GiB server / client |');
    print('|---|---:|---|---:|---:|---:|');
    const mona = median(data.get('mona-nc --ssl').rate);
    for (const tool of tools) {
      const d = data.get(tool.name);
      print(`| ${tool.name} | ${fmt(median(d.rate))} | ${d.rate.map((x) => fmt(x)).join(', ')} | ${ratio(median(d.rate), mona)} | ${mb(median(d.serverRss))} / ${mb(median(d.clientRss))} | ${median(d.serverCpu).toFixed(2)} / ${median(d.clientCpu).toFixed(2)} |`);
    }
    print();
    print('Commands (P a free port, FILE a sparse file, CERT/KEY an EC P-256 certificate for 127.0.0.1):');
    for (const tool of tools) print(`- ${tool.name}: \`${tool.server('P').replaceAll(C, 'CERT').replaceAll(K, 'KEY')}\` then \`${tool.client('P').replace(F, 'FILE').replaceAll(C, 'CERT')}\``);
    print();
    results.tlsBulk = Object.fromEntries([...data].map(([k, d]) => [k, { rate: median(d.rate) }]));
  }

  async function tlsEcho() {
    const { cert: C, key: K } = await certificate(dir);
    const servers = [
      { name: 'mona-nc --ssl --echo', cmd: (p) => `${MONA} tcp-server 127.0.0.1:${p} --ssl-cert ${C} --ssl-key ${K} --echo` },
      { name: 'bare Node tls echo', cmd: (p) => `node bench/bare/tls-echo.mjs ${p} ${C} ${K}` },
      peers.ncat && { name: 'ncat --ssl --exec /bin/cat', cmd: (p) => `ncat -l 127.0.0.1 ${p} --ssl --ssl-cert ${C} --ssl-key ${K} -k -m 1000 --exec /bin/cat` },
      peers.socat && { name: 'socat OPENSSL-LISTEN PIPE fork', cmd: (p) => `socat OPENSSL-LISTEN:${p},bind=127.0.0.1,fork,reuseaddr,cert=${C},key=${K},verify=0 PIPE` },
    ].filter(Boolean);
    const data = new Map(servers.map((s) => [s.name, Object.fromEntries(TLS_CONCURRENCY.map((c) => [c, { rate: [], p99: [], cpu: [] }]))]));
    for (let run = 0; run < RUNS; run++) {
      for (const server of servers) {
        const port = await freePort();
        const proc = sh(server.cmd(port));
        try {
          await waitBound(port);
          for (const conns of TLS_CONCURRENCY) {
            const before = cpuSeconds(proc.pid);
            const gen = sh(`node bench/tls-echo-load.mjs ${port} ${conns} ${ECHO_S}`, { capture: true });
            const done = await within(gen.exited, (ECHO_S + 20) * 1000, `TLS echo ${server.name}`).catch(async (err) => { await stop(gen, 'SIGKILL'); throw err; });
            const line = gen.stdout().trim().split('\n').pop() ?? '';
            if (done.code !== 0 || !line.startsWith('{')) throw new Error(`TLS echo load on ${server.name} failed: ${line} ${gen.stderr()}`);
            const r = JSON.parse(line);
            const d = data.get(server.name)[conns];
            d.rate.push(r.rate);
            d.p99.push(r.p99_us);
            d.cpu.push((cpuSeconds(proc.pid) - before) / (ECHO_S + 0.5));
          }
        } finally {
          await stop(proc);
        }
      }
    }
    print(`## TLS echo: 64-byte ping-pong over TLS, ${ECHO_S} s per concurrency`);
    print();
    print('Load: `node bench/tls-echo-load.mjs P CONNS SECONDS` (Node, on the same 2 cores: compare servers with each other, not with the plain-TCP table).');
    print();
    print(`| server | ${TLS_CONCURRENCY.map((c) => `${c} conn: rt/s | p99 µs | x mona-nc`).join(' | ')} | server CPU (cores) |`);
    print(`|---|${TLS_CONCURRENCY.map(() => '---:|---:|---:').join('|')}|---:|`);
    const mona = data.get('mona-nc --ssl --echo');
    for (const s of servers) {
      const d = data.get(s.name);
      print(`| ${s.name} | ${TLS_CONCURRENCY.map((c) => `${fmt(median(d[c].rate))} | ${fmt(median(d[c].p99))} | ${ratio(median(d[c].rate), median(mona[c].rate))}`).join(' | ')} | ${TLS_CONCURRENCY.map((c) => median(d[c].cpu).toFixed(2)).join(' / ')} |`);
    }
    print();
    print('Servers:');
    for (const s of servers) print(`- ${s.name}: \`${s.cmd('P').replaceAll(C, 'CERT').replaceAll(K, 'KEY')}\``);
    print();
    results.tlsEcho = Object.fromEntries([...data].map(([k, d]) => [k, Object.fromEntries(TLS_CONCURRENCY.map((c) => [c, { rate: median(d[c].rate) }]))]));
  }

  /** The closing note's TLS lines: mona-nc against ncat and socat, from this run. */
  function tlsNote() {
    const lines = [];
    const b = results.tlsBulk;
    if (b) for (const peer of ['ncat --ssl', 'socat OPENSSL', 'bare Node tls pipe']) if (b[peer]) lines.push(`- TLS bulk: mona-nc ${ratio(b['mona-nc --ssl'].rate, b[peer].rate)} of ${peer}`);
    const e = results.tlsEcho;
    if (e) {
      for (const peer of ['ncat --ssl --exec /bin/cat', 'socat OPENSSL-LISTEN PIPE fork', 'bare Node tls echo']) {
        if (e[peer]) lines.push(`- TLS echo rt/s: mona-nc ${TLS_CONCURRENCY.map((c) => `${ratio(e['mona-nc --ssl --echo'][c].rate, e[peer][c].rate)} at ${c}`).join(', ')} of ${peer}`);
      }
    }
    if (!lines.length) return;
    print('## TLS, from this run');
    print();
    for (const l of lines) print(l);
    print();
  }

  return { 'tls-bulk': tlsBulk, 'tls-echo': tlsEcho, tlsNote };
}
