"""A minimal HTTP front end over chDB (the current ClickHouse engine, in-process) for the type
tests: 18.16 does not know the newer types, chDB does. It understands just what chconnect sends
with compress=False: `?query=...` or the SQL as the body, `default_format` (other parameters
are ignored), an optional request body
(the Native data of an INSERT), GET /ping. Everything the engine produces (Native bytes, type
names, TabSeparated answers, errors) is chDB's own; this is not the ClickHouse HTTP handler.
"""

import os
import shutil
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChdbNativeServer:
    def __init__(self):
        from chdb import session
        self._dir = tempfile.mkdtemp(prefix='chc-py-chdb-')
        self._session = session.Session(os.path.join(self._dir, 'db'))
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def _answer(self, status, body, content_type='text/plain; charset=UTF-8'):
                self.send_response(status)
                self.send_header('Content-Type', content_type)
                self.send_header('Content-Length', str(len(body)))
                if status != 200:
                    self.send_header('X-ClickHouse-Exception-Code', body.split(b'.', 1)[0].replace(b'Code: ', b'')
                                     .decode(errors='replace'))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self):
                url = urllib.parse.urlsplit(self.path)
                if url.path.rstrip('/') == '/ping':
                    return self._answer(200, b'Ok.\n')
                params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                sql = params.get('query', [''])[-1]
                if not sql:
                    sql, body = body.decode(), b''
                fmt = params.get('default_format', ['TabSeparated'])[-1]
                try:
                    out = server.run(sql, body, fmt)
                except Exception as exc:  # the engine's error text, as a server's 500
                    return self._answer(500, str(exc).encode())
                self._answer(200, out)

            do_GET = _handle
            do_POST = _handle

        self._http = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.port = self._http.server_address[1]
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def run(self, sql, body, fmt):
        stripped = sql.rstrip().rstrip(';')
        with self._lock:
            if stripped.upper().endswith('FORMAT NATIVE') and stripped.upper().startswith('INSERT'):
                head = stripped[:-len('FORMAT NATIVE')].rstrip()
                path = os.path.join(self._dir, 'insert.native')
                with open(path, 'wb') as f:
                    f.write(body)
                self._session.query(f"{head} SELECT * FROM file('{path}', Native)")
                return b''
            result = self._session.query(stripped, fmt)
            return result.bytes() if result is not None else b''

    def close(self):
        self._http.shutdown()
        self._http.server_close()
        try:
            self._session.close()
        except Exception:
            pass
        shutil.rmtree(self._dir, ignore_errors=True)
