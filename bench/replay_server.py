#!/usr/bin/env python3
"""Replay server for chconnect benchmarks: serves captured Native (and Arrow) bytes of the bench
queries over loopback HTTP/1.1 in large chunks, so the client is the bottleneck.

    python bench/replay_server.py --capture-url URL --query 'SELECT ... FROM t' [--query ...] \
        [--proxy-url URL2] [--formats Native,Arrow] [--chunk 1048576] [--port 0] [--port-file F]

At start it fetches `<query> FORMAT <fmt>` once per query and format from --capture-url (the real server or
the chDB stand-in) and keeps the bytes in memory (a format the capture server lacks, e.g.
Arrow on 18.16, is fetched from --proxy-url instead; the source of each capture is printed).
Then, per request:
  - a SELECT whose text (query parameter + body, `FORMAT x` removed, whitespace collapsed) equals
    one of the --query texts: 200, `Transfer-Encoding: chunked`, the captured bytes of the requested format
    (FORMAT clause, else `default_format`, else X-ClickHouse-Format header, else Native) written
    in --chunk-sized chunks with one sendmsg each (no copies), keep-alive;
  - an INSERT (query parameter or body starting with INSERT): the body is read and discarded,
    200 with an X-ClickHouse-Summary (a sink: the client's encode cost only);
  - anything else (clickhouse-connect's init queries, DESCRIBE, warm-up queries ...): proxied to
    --proxy-url (default: --capture-url), response relayed with Content-Length.
Responses are never compressed (clients must use compress=False). Only stdlib is used.
"""
import argparse
import base64
import http.client
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FORMAT_RE = re.compile(r'\s+FORMAT\s+(\w+)\s*;?\s*$', re.IGNORECASE)
CAPTURES = {}          # (normalised query, format name lower) -> bytes
CAPTURE_SOURCES = {}   # 'format name (lower): query' -> url (no credentials)
ARGS = None
STATS = {'served': 0, 'bytes': 0, 'inserts': 0, 'insert_bytes': 0, 'proxied': 0}
STATS_LOCK = threading.Lock()


def norm(sql):
    sql = FORMAT_RE.sub('', sql.strip())
    return ' '.join(sql.split()).rstrip(';').strip()


def split_url(url):
    """-> (host, port, base_path, params dict, auth header or None)."""
    u = urllib.parse.urlsplit(url)
    params = dict(urllib.parse.parse_qsl(u.query))
    auth = None
    if u.username is not None:
        cred = f'{urllib.parse.unquote(u.username)}:{urllib.parse.unquote(u.password or "")}'
        auth = 'Basic ' + base64.b64encode(cred.encode()).decode()
    db = u.path.strip('/')
    if db:
        params.setdefault('database', db)
    return u.hostname, u.port or 8123, params, auth


def fetch(url, sql, extra=None):
    host, port, params, auth = split_url(url)
    params.update(extra or {})
    conn = http.client.HTTPConnection(host, port, timeout=600)
    headers = {'Content-Type': 'text/plain'}
    if auth:
        headers['Authorization'] = auth
    conn.request('POST', '/?' + urllib.parse.urlencode(params), body=sql.encode(), headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    if resp.status != 200:
        raise RuntimeError(f'{resp.status}: {body[:300]!r}')
    return body


def redact(url):
    u = urllib.parse.urlsplit(url)
    return f'{u.scheme}://{u.hostname}:{u.port}{u.path}'


def capture(query, fmts):
    for fmt in fmts:
        last = None
        for url in dict.fromkeys([ARGS.capture_url, ARGS.proxy_url]):
            try:
                t0 = time.perf_counter()
                extra = {'max_block_size': str(ARGS.arrow_max_block_size)} \
                    if fmt.lower().startswith('arrow') and ARGS.arrow_max_block_size else {}
                data = fetch(url, f'{query} FORMAT {fmt}', extra)
                CAPTURES[(norm(query), fmt.lower())] = data
                CAPTURE_SOURCES[f'{fmt.lower()}: {query}'] = redact(url)
                print(f'[replay] captured {fmt} of {query}: {len(data)} bytes from {redact(url)} '
                      f'in {time.perf_counter() - t0:.2f}s', file=sys.stderr, flush=True)
                break
            except Exception as exc:  # noqa: BLE001
                last = exc
        else:
            print(f'[replay] could not capture {fmt} of {query}: {last}', file=sys.stderr, flush=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'chc-replay'
    sys_version = ''

    def log_message(self, fmt, *args):  # quiet unless asked
        if ARGS.verbose:
            sys.stderr.write('[replay] ' + (fmt % args) + '\n')

    def read_body(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            parts = []
            while True:
                line = self.rfile.readline()
                size = int(line.split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            return b''.join(parts)
        n = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(n) if n else b''

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def handle_any(self):
        u = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        body = self.read_body()
        qparam = params.get('query', '')
        head = (qparam or body[:64].decode('latin-1')).lstrip().upper()
        if head.startswith('INSERT'):
            return self.sink_insert(body)
        if u.path.rstrip('/').endswith('ping'):
            return self.send_small(200, b'Ok.\n')
        sql = qparam + ('\n' if qparam and body else '') + body.decode('utf-8', 'replace')
        if norm(sql) in ARGS.norm_queries:
            m = FORMAT_RE.search(sql.strip())
            fmt = (m.group(1) if m else params.get('default_format')
                   or self.headers.get('X-ClickHouse-Format') or 'Native')
            data = CAPTURES.get((norm(sql), fmt.lower()))
            if data is not None:
                return self.serve_capture(fmt, data)
        return self.proxy(body)

    def common_headers(self):
        self.send_header('X-ClickHouse-Query-Id', str(uuid.uuid4()))
        self.send_header('X-ClickHouse-Timezone', 'UTC')
        self.send_header('X-ClickHouse-Server-Display-Name', 'chc-replay')
        self.send_header('Keep-Alive', 'timeout=30')

    def send_small(self, status, payload, ctype='text/plain; charset=UTF-8', extra=()):
        self.send_response(status)
        self.common_headers()
        self.send_header('Content-Type', ctype)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def sink_insert(self, body):
        with STATS_LOCK:
            STATS['inserts'] += 1
            STATS['insert_bytes'] += len(body)
        summary = json.dumps({'read_rows': '0', 'read_bytes': '0', 'written_rows': '0',
                              'written_bytes': str(len(body)), 'total_rows_to_read': '0'})
        self.send_small(200, b'', extra=[('X-ClickHouse-Summary', summary)])

    def serve_capture(self, fmt, data):
        self.send_response(200)
        self.common_headers()
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('X-ClickHouse-Format', fmt)
        self.send_header('Transfer-Encoding', 'chunked')
        self.end_headers()
        self.wfile.flush()
        sock = self.connection
        mv = memoryview(data)
        step = ARGS.chunk
        for off in range(0, len(mv), step):
            piece = mv[off:off + step]
            bufs = [b'%x\r\n' % len(piece), piece, b'\r\n']
            while bufs:
                sent = sock.sendmsg(bufs)
                while bufs and sent >= len(bufs[0]):
                    sent -= len(bufs[0])
                    bufs.pop(0)
                if bufs and sent:
                    bufs[0] = memoryview(bufs[0])[sent:]
        sock.sendall(b'0\r\n\r\n')
        with STATS_LOCK:
            STATS['served'] += 1
            STATS['bytes'] += len(data)

    def proxy(self, body):
        host, port, base_params, auth = split_url(ARGS.proxy_url)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ('host', 'connection', 'keep-alive', 'transfer-encoding',
                                        'content-length', 'accept-encoding', 'expect')}
        if auth and 'authorization' not in {k.lower() for k in headers}:
            headers['Authorization'] = auth
        headers['Content-Length'] = str(len(body))
        conn = http.client.HTTPConnection(host, port, timeout=600)
        try:
            conn.request(self.command, self.path, body=body if self.command == 'POST' else None,
                         headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ('transfer-encoding', 'content-length', 'connection', 'keep-alive',
                                     'date', 'server'):
                    self.send_header(k, v)
            self.send_header('Content-Length', str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        finally:
            conn.close()
        with STATS_LOCK:
            STATS['proxied'] += 1


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        super().server_bind()


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--capture-url', required=True, help='server the bench bytes are captured from')
    ap.add_argument('--proxy-url', help='server for all other requests (default: --capture-url)')
    ap.add_argument('--query', required=True, action='append',
                    help='a bench SELECT, without FORMAT (repeat for more)')
    ap.add_argument('--formats', default='Native,Arrow',
                    help='formats to capture (clickhouse-connect query_arrow asks for Arrow)')
    ap.add_argument('--arrow-max-block-size', type=int, default=0,
                    help='capture Arrow* with this max_block_size (one block: the chDB stand-in '
                         'writes a multi-block Arrow result as concatenated, invalid IPC files)')
    ap.add_argument('--chunk', type=int, default=1 << 20, help='bytes per HTTP chunk (default 1 MiB)')
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--port-file', help='write the port here once captures are done')
    ap.add_argument('--verbose', action='store_true')
    ARGS = ap.parse_args()
    ARGS.proxy_url = ARGS.proxy_url or ARGS.capture_url
    ARGS.norm_queries = {norm(q) for q in ARGS.query}
    for query in ARGS.query:
        capture(query, [f.strip() for f in ARGS.formats.split(',') if f.strip()])
    srv = Server((ARGS.host, ARGS.port), Handler)
    port = srv.server_address[1]
    print(f'[replay] listening on http://{ARGS.host}:{port} (chunk {ARGS.chunk} bytes)',
          file=sys.stderr, flush=True)
    if ARGS.port_file:
        tmp = ARGS.port_file + '.tmp'
        with open(tmp, 'w') as f:
            f.write(json.dumps({'port': port, 'captures': {f'{k[1]}: {k[0]}': len(v) for k, v in CAPTURES.items()},
                                'sources': CAPTURE_SOURCES}))
        os.replace(tmp, ARGS.port_file)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        print(f'[replay] stats {STATS}', file=sys.stderr, flush=True)


if __name__ == '__main__':
    main()
